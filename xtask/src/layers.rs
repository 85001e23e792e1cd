//! The import-cycle check behind `cargo xtask layers`: reads a crate's modules from its root
//! (following `mod` items, `#[path]` included), collects every `crate::`, `super::` and `self::`
//! path in their code (imports and paths in expressions and types alike; `#[cfg(test)]` items
//! are left out), and builds, at every level of the module tree, the graph of sibling modules: a
//! path in `auth/oauth.rs` to `crate::builder::X` is the edge `auth -> builder`, one in
//! `auth/oauth.rs` to `super::store::Y` the edge `auth::oauth -> auth::store`. A module may
//! use its parent and its own children freely; two siblings that reach each other, directly or
//! round a longer loop, are a cycle, reported with the edges that make it. Without cycles, the
//! report gives each level's modules in layers, lowest first. A crate root that states its layers
//! (a numbered list under `# Layers` in its `//!` documentation, naming modules in backticks) is
//! held to them: no top-level module may import from a layer above its own, and every top-level
//! module must be in one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The crates whose modules must form layers, by their folder below the workspace root.
pub const CHECKED_CRATES: &[&str] = &["runtime", "codegen", "cli", "xtask", "tests"];

/// A module's path below its crate root (`[]` for the root, `["auth", "oauth"]`).
type ModPath = Vec<String>;

/// One use of another module: where it was written and the path as written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Witness {
    /// The file that holds it, relative to the workspace root when it is below it.
    pub file: PathBuf,
    /// The path as written, e.g. `crate::builder::DEFAULT_SCOPE`.
    pub path: String,
}

/// An edge between two sibling modules, with the first use that makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The module that imports, as `a::b`.
    pub from: String,
    /// The module it imports from.
    pub to: String,
    /// Where the import is.
    pub witness: Witness,
}

/// What was found in one crate.
#[derive(Debug, Default)]
pub struct CrateGraph {
    /// The crate's folder name, e.g. `runtime`.
    pub name: String,
    /// Every module, by path.
    pub modules: BTreeSet<ModPath>,
    /// Sibling edges, keyed by (from, to) module paths.
    edges: BTreeMap<(ModPath, ModPath), Witness>,
    /// Files named by a `mod` item that could not be read or parsed.
    pub unreadable: Vec<String>,
    /// The layers the crate root's documentation states under `# Layers` (a numbered list, each
    /// item naming its modules in backticks), by top-level module; empty when it states none.
    pub declared: BTreeMap<String, usize>,
    /// The files read so far, so that a `#[path]` loop is reported instead of followed forever.
    files_read: BTreeSet<PathBuf>,
}

/// A set of sibling modules that import each other, with the edges between them.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The modules, as `a::b`, sorted.
    pub modules: Vec<String>,
    /// Every edge between two of them.
    pub edges: Vec<Edge>,
}

impl CrateGraph {
    /// Reads the crate whose `src/` is below `crate_dir`, from `src/lib.rs` (else `src/main.rs`).
    pub fn read(workspace: &Path, crate_dir: &Path) -> Result<CrateGraph, String> {
        let src = crate_dir.join("src");
        let root = ["lib.rs", "main.rs"]
            .iter()
            .map(|name| src.join(name))
            .find(|path| path.is_file())
            .ok_or_else(|| format!("{}: no src/lib.rs or src/main.rs", crate_dir.display()))?;
        let mut graph = CrateGraph {
            name: crate_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..CrateGraph::default()
        };
        let mut uses = Vec::new();
        graph.read_file(workspace, &root, &src, Vec::new(), &mut uses);
        if let Ok(text) = std::fs::read_to_string(&root) {
            graph.declared = declared_layers(&text, &graph.modules);
        }
        for (module, path, witness) in uses {
            graph.add_use(&module, &path, witness);
        }
        Ok(graph)
    }

    /// Reads one file as the module `module`, whose child modules' files are in `dir`.
    fn read_file(
        &mut self,
        workspace: &Path,
        file: &Path,
        dir: &Path,
        module: ModPath,
        uses: &mut Vec<(ModPath, Vec<String>, Witness)>,
    ) {
        let shown = file.strip_prefix(workspace).unwrap_or(file).to_path_buf();
        let key = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        if !self.files_read.insert(key) {
            self.unreadable.push(format!(
                "{}: already read as another module (a `#[path]` loop?)",
                shown.display()
            ));
            return;
        }
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| syn::parse_file(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(ast) => {
                self.modules.insert(module.clone());
                self.read_items(workspace, &ast.items, &shown, dir, module, uses);
            }
            Err(e) => self.unreadable.push(format!("{}: {e}", shown.display())),
        }
    }

    /// Reads the items of the module `module` (written in `file`).
    fn read_items(
        &mut self,
        workspace: &Path,
        items: &[syn::Item],
        file: &Path,
        dir: &Path,
        module: ModPath,
        uses: &mut Vec<(ModPath, Vec<String>, Witness)>,
    ) {
        for item in items {
            if is_test_only(item_attrs(item)) {
                continue;
            }
            if let syn::Item::Mod(child) = item {
                let mut child_module = module.clone();
                child_module.push(child.ident.to_string());
                let child_dir = dir.join(child.ident.to_string());
                match &child.content {
                    Some((_, items)) => {
                        self.modules.insert(child_module.clone());
                        self.read_items(workspace, items, file, &child_dir, child_module, uses);
                    }
                    None => {
                        let file_dir = workspace.join(file);
                        let file_dir = file_dir.parent().unwrap_or(dir);
                        let child_file = path_attr(&child.attrs)
                            .map(|path| file_dir.join(path))
                            .unwrap_or_else(|| {
                                let flat = dir.join(format!("{}.rs", child.ident));
                                if flat.is_file() {
                                    flat
                                } else {
                                    child_dir.join("mod.rs")
                                }
                            });
                        self.read_file(workspace, &child_file, &child_dir, child_module, uses);
                    }
                }
                continue;
            }
            let mut collector = PathCollector::default();
            collector.visit_item(item);
            for path in collector.paths {
                let witness = Witness {
                    file: file.to_path_buf(),
                    path: path.join("::"),
                };
                uses.push((module.clone(), path, witness));
            }
        }
    }

    /// Records the edge a path written in `module` makes, if it reaches a sibling's subtree.
    fn add_use(&mut self, module: &ModPath, path: &[String], witness: Witness) {
        let Some(target) = self.resolve(module, path) else {
            return;
        };
        let common = module
            .iter()
            .zip(&target)
            .take_while(|(a, b)| a == b)
            .count();
        if common < module.len() && common < target.len() {
            let from = module[..=common].to_vec();
            let to = target[..=common].to_vec();
            self.edges.entry((from, to)).or_insert(witness);
        }
    }

    /// The module a path names (the longest known module its segments start with).
    fn resolve(&self, module: &ModPath, path: &[String]) -> Option<ModPath> {
        let (mut base, rest) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (module.clone(), &path[1..]),
            Some("super") => {
                let mut base = module.clone();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                (base, rest)
            }
            _ => return None,
        };
        for segment in rest {
            base.push(segment.clone());
            if !self.modules.contains(&base) {
                base.pop();
                break;
            }
        }
        Some(base)
    }

    /// How many sibling edges there are.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The crate-level imports that go up the stated layers, and the modules the statement
    /// leaves out (nothing, when the crate states no layers).
    pub fn layer_violations(&self) -> Vec<String> {
        if self.declared.is_empty() {
            return Vec::new();
        }
        let mut problems: Vec<String> = self
            .modules
            .iter()
            .filter(|m| m.len() == 1 && !self.declared.contains_key(&m[0]))
            .map(|m| format!("module {} is in none of the stated layers", m[0]))
            .collect();
        for ((from, to), witness) in &self.edges {
            let (Some(from_layer), Some(to_layer)) = (
                from.first().and_then(|m| self.declared.get(m)),
                to.first().and_then(|m| self.declared.get(m)),
            ) else {
                continue;
            };
            if from.len() == 1 && to_layer > from_layer {
                problems.push(format!(
                    "{} (layer {from_layer}) imports {} (layer {to_layer}), a layer above it  ({}: {})",
                    from[0],
                    to[0],
                    witness.file.display(),
                    witness.path
                ));
            }
        }
        problems
    }

    /// The cycles: each strongly connected set of two or more sibling modules.
    pub fn cycles(&self) -> Vec<Cycle> {
        let components = strongly_connected(&self.adjacency());
        components
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let members: BTreeSet<&ModPath> = component.iter().collect();
                let edges = self
                    .edges
                    .iter()
                    .filter(|((from, to), _)| members.contains(from) && members.contains(to))
                    .map(|((from, to), witness)| Edge {
                        from: from.join("::"),
                        to: to.join("::"),
                        witness: witness.clone(),
                    })
                    .collect();
                Cycle {
                    modules: component.iter().map(|m| m.join("::")).collect(),
                    edges,
                }
            })
            .collect()
    }

    /// Each level of the module tree (named by its parent, `crate` for the root) with its
    /// modules in layers, lowest first: a module's layer is one above the highest it imports.
    /// Only meaningful without cycles (a cycle's members are put in the lowest layer that
    /// holds them all).
    pub fn layers(&self) -> BTreeMap<String, Vec<Vec<String>>> {
        let adjacency = self.adjacency();
        let mut depth: BTreeMap<&ModPath, usize> = BTreeMap::new();
        fn depth_of<'a>(
            module: &'a ModPath,
            adjacency: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
            depth: &mut BTreeMap<&'a ModPath, usize>,
            visiting: &mut BTreeSet<&'a ModPath>,
        ) -> usize {
            if let Some(d) = depth.get(module) {
                return *d;
            }
            if !visiting.insert(module) {
                return 0;
            }
            let d = adjacency
                .get(module)
                .into_iter()
                .flatten()
                .map(|next| depth_of(next, adjacency, depth, visiting) + 1)
                .max()
                .unwrap_or(0);
            visiting.remove(module);
            depth.insert(module, d);
            d
        }
        let mut levels: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
        for module in self.modules.iter().filter(|m| !m.is_empty()) {
            let d = depth_of(module, &adjacency, &mut depth, &mut BTreeSet::new());
            let parent = &module[..module.len() - 1];
            let level = if parent.is_empty() {
                "crate".to_string()
            } else {
                parent.join("::")
            };
            let layers = levels.entry(level).or_default();
            if layers.len() <= d {
                layers.resize(d + 1, Vec::new());
            }
            layers[d].push(module[module.len() - 1].clone());
        }
        levels
    }

    fn adjacency(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        let mut adjacency: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
        for (from, to) in self.edges.keys() {
            adjacency
                .entry(from.clone())
                .or_default()
                .insert(to.clone());
        }
        adjacency
    }
}

/// The layers a crate root states in its `//!` documentation: under a `# Layers` heading, a
/// numbered list (`1. ...`, with indented continuation lines) whose items name their modules in
/// backticks. A module named in two items belongs to the first; backticked words that are not
/// top-level modules are ignored.
fn declared_layers(root: &str, modules: &BTreeSet<ModPath>) -> BTreeMap<String, usize> {
    let doc = root
        .lines()
        .map_while(|line| line.trim_start().strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line));
    let mut declared = BTreeMap::new();
    let mut in_section = false;
    let mut layer = None;
    for line in doc {
        if let Some(heading) = line.strip_prefix('#') {
            in_section = heading.trim_start_matches('#').trim() == "Layers";
            layer = None;
            continue;
        }
        if !in_section {
            continue;
        }
        let number = line
            .split_once(". ")
            .and_then(|(n, _)| n.trim().parse::<usize>().ok());
        if let Some(number) = number {
            layer = Some(number);
        } else if !line.starts_with(' ') {
            layer = None;
        }
        let Some(layer) = layer else { continue };
        for (index, part) in line.split('`').enumerate() {
            let is_module = modules.contains(&vec![part.to_owned()]);
            if index % 2 == 1 && is_module {
                declared.entry(part.to_owned()).or_insert(layer);
            }
        }
    }
    declared
}

/// Tarjan's algorithm, iteratively: the strongly connected components of a graph.
fn strongly_connected(adjacency: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    let nodes: BTreeSet<&ModPath> = adjacency
        .iter()
        .flat_map(|(from, tos)| std::iter::once(from).chain(tos))
        .collect();
    let mut index: BTreeMap<&ModPath, usize> = BTreeMap::new();
    let mut low: BTreeMap<&ModPath, usize> = BTreeMap::new();
    let mut stack: Vec<&ModPath> = Vec::new();
    let mut on_stack: BTreeSet<&ModPath> = BTreeSet::new();
    let mut components = Vec::new();
    let empty = BTreeSet::new();
    for &start in &nodes {
        if index.contains_key(start) {
            continue;
        }
        // Each frame: a node and the successors it has yet to visit.
        let mut frames: Vec<(&ModPath, Vec<&ModPath>)> = Vec::new();
        let enter = |node: &'_ ModPath| -> Vec<&ModPath> {
            adjacency.get(node).unwrap_or(&empty).iter().rev().collect()
        };
        let next_index = index.len();
        index.insert(start, next_index);
        low.insert(start, next_index);
        stack.push(start);
        on_stack.insert(start);
        frames.push((start, enter(start)));
        while let Some((node, pending)) = frames.last_mut() {
            let node = *node;
            if let Some(next) = pending.pop() {
                if let Some(&next_index) = index.get(next) {
                    if on_stack.contains(next) {
                        let current = low[node].min(next_index);
                        low.insert(node, current);
                    }
                } else {
                    let next_index = index.len();
                    index.insert(next, next_index);
                    low.insert(next, next_index);
                    stack.push(next);
                    on_stack.insert(next);
                    frames.push((next, enter(next)));
                }
                continue;
            }
            frames.pop();
            if let Some((parent, _)) = frames.last() {
                let current = low[*parent].min(low[node]);
                low.insert(*parent, current);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.push(member.clone());
                    if member == node {
                        break;
                    }
                }
                component.sort();
                components.push(component);
            }
        }
    }
    components.sort();
    components
}

/// Collects every path starting with `crate`, `super` or `self` in an item, from `use` trees
/// and from paths in code alike.
#[derive(Default)]
struct PathCollector {
    paths: Vec<Vec<String>>,
    prefix: Vec<String>,
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Fn(f) => &f.attrs[..],
            syn::ImplItem::Const(c) => &c.attrs[..],
            _ => &[],
        };
        if !is_test_only(attrs) {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_use_tree(&mut self, tree: &'ast syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                self.prefix.push(p.ident.to_string());
                self.visit_use_tree(&p.tree);
                self.prefix.pop();
            }
            syn::UseTree::Name(n) => self.push_use(Some(n.ident.to_string())),
            syn::UseTree::Rename(r) => self.push_use(Some(r.ident.to_string())),
            syn::UseTree::Glob(_) => self.push_use(None),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.visit_use_tree(tree);
                }
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() && segments.first().is_some_and(|s| is_relative(s)) {
            self.paths.push(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

impl PathCollector {
    fn push_use(&mut self, last: Option<String>) {
        let mut path = self.prefix.clone();
        path.extend(last.filter(|name| name != "self"));
        if path.first().is_some_and(|s| is_relative(s)) {
            self.paths.push(path);
        }
    }
}

fn is_relative(segment: &str) -> bool {
    matches!(segment, "crate" | "super" | "self")
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Whether the attributes hold `#[cfg(test)]` or `#[test]`.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("test")
            || (attr.path().is_ident("cfg")
                && attr
                    .parse_args::<syn::Ident>()
                    .is_ok_and(|ident| ident == "test"))
    })
}

/// The file a `#[path = "..."]` attribute names.
fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Reads every checked crate of the workspace and reports: `Ok` with the layers when no crate
/// has a cycle, `Err` naming each cycle's edges otherwise (or a file that could not be read).
pub fn check(workspace: &Path) -> Result<String, String> {
    let mut graphs = Vec::new();
    for name in CHECKED_CRATES {
        graphs.push(CrateGraph::read(workspace, &workspace.join(name))?);
    }
    report(&graphs)
}

/// The report for crates already read: see [`check`].
pub fn report(graphs: &[CrateGraph]) -> Result<String, String> {
    let mut out = String::new();
    let mut failed = false;
    for graph in graphs {
        let cycles = graph.cycles();
        for file in &graph.unreadable {
            failed = true;
            let _ = writeln!(out, "{}: cannot read {file}", graph.name);
        }
        for problem in graph.layer_violations() {
            failed = true;
            let _ = writeln!(out, "{}: against the stated layers: {problem}", graph.name);
        }
        if cycles.is_empty() {
            let _ = writeln!(
                out,
                "{}: no cycles ({} modules, {} sibling imports)",
                graph.name,
                graph.modules.len(),
                graph.edge_count()
            );
            if !graph.declared.is_empty() {
                let mut stated: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
                for (module, layer) in &graph.declared {
                    stated.entry(*layer).or_default().push(module);
                }
                let shown: Vec<String> = stated
                    .iter()
                    .map(|(layer, modules)| format!("{layer}: {}", modules.join(" ")))
                    .collect();
                let _ = writeln!(out, "  stated layers, all held: {}", shown.join(" | "));
            }
            for (level, layers) in graph.layers() {
                if layers.iter().map(Vec::len).sum::<usize>() < 2 {
                    continue;
                }
                let shown: Vec<String> = layers.iter().map(|layer| layer.join(" ")).collect();
                let _ = writeln!(out, "  {level}: {}", shown.join(" < "));
            }
            continue;
        }
        failed = true;
        let _ = writeln!(
            out,
            "{}: {} import cycle(s) between sibling modules",
            graph.name,
            cycles.len()
        );
        for cycle in cycles {
            let _ = writeln!(out, "  cycle among {}:", cycle.modules.join(", "));
            for edge in cycle.edges {
                let _ = writeln!(
                    out,
                    "    {} -> {}  ({}: {})",
                    edge.from,
                    edge.to,
                    edge.witness.file.display(),
                    edge.witness.path
                );
            }
        }
    }
    if failed { Err(out) } else { Ok(out) }
}
