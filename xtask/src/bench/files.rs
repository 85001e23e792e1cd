//! Test files for the benchmarks: pseudo-random content, folders of small files with their
//! upload-many manifest and curl's list, a byte-for-byte comparison, and counting files.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `count` files of `len` pseudo-random bytes in the new folder `dir`, all for `record`.
pub(super) struct SmallFiles {
    /// The manifest (`module,record_id,path`, absolute paths inside `dir`), in `dir`.
    pub manifest: PathBuf,
    /// The files' absolute paths, one a line (for `xargs`).
    pub list: PathBuf,
}

/// Writes [`SmallFiles`]: `f00000.bin`... in `dir`, seeded from `seed` on.
pub(super) fn small_files(
    dir: &Path,
    count: usize,
    len: usize,
    seed: u64,
    record: &str,
) -> Result<SmallFiles, String> {
    let files = dir.join("files");
    std::fs::create_dir_all(&files).map_err(|e| format!("cannot make {}: {e}", files.display()))?;
    let mut manifest = String::from("module,record_id,path\n");
    let mut list = String::new();
    for index in 0..count {
        let path = files.join(format!("f{index:05}.bin"));
        write_random(&path, len, index as u64 + seed)?;
        let _ = writeln!(manifest, "Leads,{record},{}", path.display());
        let _ = writeln!(list, "{}", path.display());
    }
    let out = SmallFiles {
        manifest: dir.join("manifest.csv"),
        list: dir.join("files.txt"),
    };
    write(&out.manifest, manifest.as_bytes())?;
    write(&out.list, list.as_bytes())?;
    Ok(out)
}

/// Writes `bytes` to `path`, saying which file failed.
pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes `len` pseudo-random bytes (xorshift from `seed`) to `path`.
pub(super) fn write_random(path: &Path, len: usize, seed: u64) -> Result<(), String> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut block = [0u8; 8192];
    let mut remaining = len;
    while remaining > 0 {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let take = remaining.min(block.len());
        out.write_all(&block[..take])
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        remaining -= take;
    }
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Fails unless `b` holds the same bytes as `a`, compared a block at a time (the files are
/// 100 MiB and more: neither is held whole).
pub(super) fn same_file(a: &Path, b: &Path) -> Result<(), String> {
    use std::io::Read as _;
    let differs = || format!("{} differs from {}", b.display(), a.display());
    let open = |path: &Path| {
        std::fs::File::open(path)
            .map(|file| std::io::BufReader::with_capacity(1 << 20, file))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let (mut left, mut right) = (open(a)?, open(b)?);
    let (mut left_block, mut right_block) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let read = |reader: &mut std::io::BufReader<std::fs::File>, block: &mut [u8]| {
            let mut filled = 0;
            while filled < block.len() {
                match reader.read(&mut block[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            Ok(filled)
        };
        let got_left = read(&mut left, &mut left_block)?;
        let got_right = read(&mut right, &mut right_block)?;
        if got_left != got_right || left_block[..got_left] != right_block[..got_right] {
            return Err(differs());
        }
        if got_left == 0 {
            return Ok(());
        }
    }
}

/// How many regular files `dir` and its subfolders hold, and their bytes in all (symbolic
/// links are not followed).
pub(super) fn count_files(dir: &Path) -> Result<(usize, u64), String> {
    let (mut count, mut bytes) = (0, 0);
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                count += 1;
                bytes += entry
                    .metadata()
                    .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?
                    .len();
            }
        }
    }
    Ok((count, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_the_same_only_byte_for_byte() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary directory");
        };
        let path = |name: &str| dir.path().join(name);
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut changed = big.clone();
        changed[150_000] ^= 1;
        for (name, bytes) in [
            ("a", &big[..]),
            ("b", &big[..]),
            ("c", &changed[..]),
            ("d", &big[..199_999]),
        ] {
            assert!(std::fs::write(path(name), bytes).is_ok());
        }
        assert_eq!(same_file(&path("a"), &path("b")), Ok(()));
        assert!(same_file(&path("a"), &path("c")).is_err());
        assert!(same_file(&path("a"), &path("d")).is_err());
        assert!(same_file(&path("a"), &path("none")).is_err());
    }
}
