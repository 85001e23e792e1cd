//! Standard input as an upload: streamed into a temporary file first, so that its size is
//! known before anything is sent (Zoho needs it, and a retry must be able to send it again),
//! in constant memory and never more than the upload limit.

use tokio::io::AsyncReadExt as _;

/// Copies standard input into a new temporary file (removed when dropped) and returns it with
/// its size; more than `limit` bytes is refused without reading further.
pub async fn stdin(limit: u64) -> Result<(tempfile::NamedTempFile, u64), String> {
    let spooled =
        tempfile::NamedTempFile::new().map_err(|e| format!("cannot make a temporary file: {e}"))?;
    let file = spooled
        .reopen()
        .map_err(|e| format!("cannot open the temporary file: {e}"))?;
    let mut file = tokio::fs::File::from_std(file);
    let mut input = tokio::io::stdin().take(limit.saturating_add(1));
    let copied = tokio::io::copy(&mut input, &mut file)
        .await
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if copied > limit {
        return Err(format!(
            "standard input holds more than the upload limit of {limit} bytes"
        ));
    }
    tokio::io::AsyncWriteExt::flush(&mut file)
        .await
        .map_err(|e| format!("cannot write the temporary file: {e}"))?;
    Ok((spooled, copied))
}
