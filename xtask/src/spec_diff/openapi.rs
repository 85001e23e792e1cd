//! What an OpenAPI description says about each of its operations: parameters (through `$ref`s
//! into `components/parameters`), form fields of the request body (through `oneOf`, `anyOf`
//! and `allOf`), the fields of JSON success responses, the response statuses and the `code`
//! values of its error responses. Only references within the file are followed; a reference
//! that leads back to a schema being walked ends that walk instead of looping.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::facts::{Body, Facts, Location, OpenApiOperation, Role, path_shape};

/// A problem with the OpenAPI description, at a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at #{at}: {message}")]
pub struct OpenApiError {
    /// The JSON pointer of the offending value (empty for the whole document).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

fn error(at: &str, message: impl Into<String>) -> OpenApiError {
    OpenApiError {
        at: at.to_owned(),
        message: message.into(),
    }
}

/// The keys of a path item that hold operations.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The request-body media types whose properties are form fields.
const FORM_MEDIA_TYPES: [&str; 2] = ["multipart/form-data", "application/x-www-form-urlencoded"];

/// Whether a media type is JSON (`application/json`, `application/problem+json`, with any
/// parameters).
fn is_json(media: &str) -> bool {
    let base = media.split(';').next().unwrap_or_default().trim();
    base.eq_ignore_ascii_case("application/json") || base.to_ascii_lowercase().ends_with("+json")
}

/// The `info.version` of an OpenAPI document, when it has one.
pub fn info_version(doc: &Value) -> Option<&str> {
    doc.get("info")?.get("version")?.as_str()
}

/// Every operation of the OpenAPI document `doc`, sorted by path and method.
pub fn operations(doc: &Value) -> Result<Vec<OpenApiOperation>, OpenApiError> {
    let walker = Walker { root: doc };
    let paths = match doc.get("paths") {
        Some(paths) => as_map(paths, "/paths")?,
        None => {
            return Err(error(
                "",
                "no `paths`: this is not an OpenAPI description of an API",
            ));
        }
    };
    let root_server = server_path(doc.get("servers"), "/servers")?;
    let mut found = Vec::new();
    for (path, item) in paths {
        let item = walker.resolve_required(item, child("/paths", path), &[])?;
        let item_server = server_path(item.value.get("servers"), &child(&item.at, "servers"))?;
        for method in METHODS {
            let Some(operation) = item.value.get(method) else {
                continue;
            };
            let at = child(&item.at, method);
            let operation_server = server_path(operation.get("servers"), &child(&at, "servers"))?;
            let server = operation_server
                .or_else(|| item_server.clone())
                .or_else(|| root_server.clone())
                .unwrap_or_default();
            let facts = walker.operation_facts(&item, operation, &at)?;
            found.push(OpenApiOperation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                shape: path_shape(&format!("{server}{path}")),
                operation_id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                facts,
            });
        }
    }
    found.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok(found)
}

/// The path of the first server URL in `servers` (`/crm/{version}` for
/// `https://zohoapis.{dc}/crm/{version}`), without a trailing `/`.
fn server_path(servers: Option<&Value>, at: &str) -> Result<Option<String>, OpenApiError> {
    let Some(servers) = servers else {
        return Ok(None);
    };
    let Some(servers) = servers.as_array() else {
        return Err(error(at, "`servers` is not a list"));
    };
    let Some(first) = servers.first() else {
        return Ok(None);
    };
    let Some(url) = first.get("url").and_then(Value::as_str) else {
        return Err(error(&child(at, "0"), "a server has no `url` text"));
    };
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
        None => url,
    };
    Ok(Some(path.trim_end_matches('/').to_owned()))
}

/// `value` as a map, or an error naming `at`.
fn as_map<'v>(value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, OpenApiError> {
    value.as_object().ok_or_else(|| error(at, "expected a map"))
}

/// The map under `key` of `node`, if there is one.
fn member_map<'v>(
    node: &Node<'v>,
    key: &str,
) -> Result<Option<&'v Map<String, Value>>, OpenApiError> {
    node.value
        .get(key)
        .map(|value| as_map(value, &child(&node.at, key)))
        .transpose()
}

/// A JSON pointer one step below `at`.
fn child(at: &str, key: &str) -> String {
    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A value reached in the document, with the `$ref`s followed to reach it.
#[derive(Clone, Debug)]
struct Node<'a> {
    /// The value, its references resolved.
    value: &'a Value,
    /// Its JSON pointer, for messages.
    at: String,
    /// The references followed on the way, so that one met again ends the walk.
    refs: Vec<String>,
}

/// Walks one document, resolving references within it.
struct Walker<'a> {
    root: &'a Value,
}

impl<'a> Walker<'a> {
    /// `value`, or what its `$ref` chain leads to; `None` when the chain leads back to a
    /// reference in `refs` (a schema that holds itself).
    fn resolve(
        &self,
        value: &'a Value,
        at: String,
        refs: &[String],
    ) -> Result<Option<Node<'a>>, OpenApiError> {
        let mut node = Node {
            value,
            at,
            refs: refs.to_vec(),
        };
        while let Some(reference) = node.value.get("$ref") {
            let Some(reference) = reference.as_str() else {
                return Err(error(&node.at, "`$ref` is not text"));
            };
            if node.refs.iter().any(|seen| seen == reference) {
                return Ok(None);
            }
            let Some(pointer) = reference.strip_prefix('#') else {
                return Err(error(
                    &node.at,
                    format!(
                        "`$ref` {reference:?} points outside this file, which is not supported"
                    ),
                ));
            };
            let Some(target) = self.root.pointer(pointer) else {
                return Err(error(
                    &node.at,
                    format!("`$ref` {reference:?} does not resolve"),
                ));
            };
            node.refs.push(reference.to_owned());
            node.value = target;
            node.at = pointer.to_owned();
        }
        Ok(Some(node))
    }

    /// Like [`Walker::resolve`], for a value that must lead somewhere (a parameter, a path item).
    fn resolve_required(
        &self,
        value: &'a Value,
        at: String,
        refs: &[String],
    ) -> Result<Node<'a>, OpenApiError> {
        let at_copy = at.clone();
        self.resolve(value, at, refs)?
            .ok_or_else(|| error(&at_copy, "its `$ref`s lead back to themselves"))
    }

    /// What the operation `operation` of the path item `item` says.
    fn operation_facts(
        &self,
        item: &Node<'a>,
        operation: &'a Value,
        at: &str,
    ) -> Result<Facts, OpenApiError> {
        let operation = Node {
            value: operation,
            at: at.to_owned(),
            refs: item.refs.clone(),
        };
        let mut facts = Facts::default();
        let mut declared = BTreeSet::new();
        for node in [item, &operation] {
            self.parameters(node, &mut declared)?;
        }
        for (location, name) in declared {
            match location.as_str() {
                "path" => facts.path_params += 1,
                "query" => {
                    facts.params.insert((name, Location::Query));
                }
                "header" => {
                    facts.params.insert((name, Location::Header));
                }
                "cookie" => {
                    facts.params.insert((name, Location::Cookie));
                }
                other => {
                    return Err(error(
                        at,
                        format!(
                            "parameter {name:?} is in {other:?}, not path, query, header or cookie"
                        ),
                    ));
                }
            }
        }
        facts.params.extend(self.body_fields(&operation)?);
        self.responses(&operation, &mut facts)?;
        facts.scopes = self.scopes(&operation)?;
        Ok(facts)
    }

    /// The scopes the operation's `security` lists, or the document's when it has none of
    /// its own (an empty list of its own means none).
    fn scopes(&self, operation: &Node<'a>) -> Result<BTreeSet<String>, OpenApiError> {
        let (security, at) = match operation.value.get("security") {
            Some(security) => (security, child(&operation.at, "security")),
            None => match self.root.get("security") {
                Some(security) => (security, "/security".to_owned()),
                None => return Ok(BTreeSet::new()),
            },
        };
        let Some(requirements) = security.as_array() else {
            return Err(error(&at, "`security` is not a list"));
        };
        let mut found = BTreeSet::new();
        for (index, requirement) in requirements.iter().enumerate() {
            let at = child(&at, &index.to_string());
            for (scheme, scopes) in as_map(requirement, &at)? {
                let Some(scopes) = scopes.as_array() else {
                    return Err(error(&child(&at, scheme), "the scopes are not a list"));
                };
                found.extend(scopes.iter().filter_map(Value::as_str).map(str::to_owned));
            }
        }
        Ok(found)
    }

    /// Adds the `(in, name)` of each parameter `node` declares; a later declaration of the same
    /// pair (an operation's, after its path item's) replaces the earlier one.
    fn parameters(
        &self,
        node: &Node<'a>,
        declared: &mut BTreeSet<(String, String)>,
    ) -> Result<(), OpenApiError> {
        let Some(list) = node.value.get("parameters") else {
            return Ok(());
        };
        let at = child(&node.at, "parameters");
        let Some(list) = list.as_array() else {
            return Err(error(&at, "`parameters` is not a list"));
        };
        for (index, parameter) in list.iter().enumerate() {
            let parameter =
                self.resolve_required(parameter, child(&at, &index.to_string()), &node.refs)?;
            let text = |key: &str| {
                parameter
                    .value
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        error(&parameter.at, format!("a parameter without `{key}` text"))
                    })
            };
            declared.insert((text("in")?, text("name")?));
        }
        Ok(())
    }

    /// The properties of the operation's request body, through `oneOf`, `anyOf` and `allOf`:
    /// form fields of a multipart/form-data or url-encoded body (a repeated field, an array of
    /// files, is one field), top-level keys of a JSON body.
    fn body_fields(
        &self,
        operation: &Node<'a>,
    ) -> Result<BTreeSet<(String, Location)>, OpenApiError> {
        let mut fields = BTreeSet::new();
        let Some(body) = operation.value.get("requestBody") else {
            return Ok(fields);
        };
        let Some(body) =
            self.resolve(body, child(&operation.at, "requestBody"), &operation.refs)?
        else {
            return Ok(fields);
        };
        for (media, media_type) in member_map(&body, "content")?.into_iter().flatten() {
            let base = media.split(';').next().unwrap_or_default().trim();
            let location = if FORM_MEDIA_TYPES
                .iter()
                .any(|form| form.eq_ignore_ascii_case(base))
            {
                Location::Form
            } else if is_json(media) {
                Location::Json
            } else {
                continue;
            };
            let at = child(&child(&body.at, "content"), media);
            if let Some(schema) = self.schema_of(media_type, &at, &body.refs)? {
                let names = self.properties(&[schema])?.into_keys();
                fields.extend(names.map(|name| (name, location)));
            }
        }
        Ok(fields)
    }

    /// The statuses of the operation's responses, the fields of its JSON success responses
    /// and the codes of its error responses (4xx, 5xx and `default`).
    fn responses(&self, operation: &Node<'a>, facts: &mut Facts) -> Result<(), OpenApiError> {
        let Some(responses) = member_map(operation, "responses")? else {
            return Ok(());
        };
        let at = child(&operation.at, "responses");
        for (status, response) in responses {
            if status != "default" {
                facts.statuses.insert(status.clone());
            }
            let success = status.starts_with('2');
            let failure = status.starts_with(['4', '5']) || status == "default";
            let Some(response) = self.resolve(response, child(&at, status), &operation.refs)?
            else {
                continue;
            };
            for (media, media_type) in member_map(&response, "content")?.into_iter().flatten() {
                if success {
                    facts.bodies.insert(if is_json(media) {
                        Body::Json
                    } else {
                        Body::Binary
                    });
                }
                let media_at = child(&child(&response.at, "content"), media);
                let Some(schema) = self.schema_of(media_type, &media_at, &response.refs)? else {
                    continue;
                };
                if success && is_json(media) {
                    self.success_fields(schema, &mut facts.fields)?;
                } else if failure {
                    self.codes(schema, &mut facts.error_codes)?;
                }
            }
        }
        Ok(())
    }

    /// The resolved `schema` of a media type object, if it has one.
    fn schema_of(
        &self,
        media_type: &'a Value,
        at: &str,
        refs: &[String],
    ) -> Result<Option<Node<'a>>, OpenApiError> {
        match media_type.get("schema") {
            Some(schema) => self.resolve(schema, child(at, "schema"), refs),
            None => Ok(None),
        }
    }

    /// The fields of a JSON success body: those of each `data[]` item (or of its `details`,
    /// when the item is an action result that has them) and those of `info`; or, for an
    /// action result sent on its own (`{code, details, message, status}`, no `data`), those
    /// of its `details`.
    fn success_fields(
        &self,
        schema: Node<'a>,
        fields: &mut BTreeMap<Role, BTreeSet<String>>,
    ) -> Result<(), OpenApiError> {
        let top = self.properties(&[schema])?;
        if !top.contains_key("data")
            && let Some(details) = top.get("details")
        {
            self.field_paths(details, "", fields.entry(Role::Details).or_default())?;
        }
        if let Some(data) = top.get("data") {
            for item in self.items(data)? {
                let item_properties = self.properties(std::slice::from_ref(&item))?;
                match item_properties.get("details") {
                    Some(details) => {
                        self.field_paths(details, "", fields.entry(Role::Details).or_default())?
                    }
                    None => self.field_paths(&[item], "", fields.entry(Role::Item).or_default())?,
                }
            }
        }
        if let Some(info) = top.get("info") {
            self.field_paths(info, "", fields.entry(Role::Info).or_default())?;
        }
        Ok(())
    }

    /// `node` and every schema it combines with `allOf`, `oneOf` or `anyOf`, at any depth.
    fn alternatives(&self, node: &Node<'a>) -> Result<Vec<Node<'a>>, OpenApiError> {
        let mut found = Vec::new();
        let mut pending = vec![node.clone()];
        while let Some(current) = pending.pop() {
            for keyword in ["allOf", "oneOf", "anyOf"] {
                let Some(members) = current.value.get(keyword) else {
                    continue;
                };
                let at = child(&current.at, keyword);
                let Some(members) = members.as_array() else {
                    return Err(error(&at, format!("`{keyword}` is not a list")));
                };
                for (index, member) in members.iter().enumerate() {
                    if let Some(member) =
                        self.resolve(member, child(&at, &index.to_string()), &current.refs)?
                    {
                        pending.push(member);
                    }
                }
            }
            found.push(current);
        }
        Ok(found)
    }

    /// The properties of the schemas `nodes` and of their alternatives, each with every schema
    /// given for it (none when it refers back to a schema being walked).
    fn properties(
        &self,
        nodes: &[Node<'a>],
    ) -> Result<BTreeMap<String, Vec<Node<'a>>>, OpenApiError> {
        let mut found: BTreeMap<String, Vec<Node<'a>>> = BTreeMap::new();
        for node in nodes {
            for alternative in self.alternatives(node)? {
                let at = child(&alternative.at, "properties");
                for (name, schema) in member_map(&alternative, "properties")?
                    .into_iter()
                    .flatten()
                {
                    let schemas = found.entry(name.clone()).or_default();
                    if let Some(schema) =
                        self.resolve(schema, child(&at, name), &alternative.refs)?
                    {
                        schemas.push(schema);
                    }
                }
            }
        }
        Ok(found)
    }

    /// The item schemas of the array schemas `nodes`.
    fn items(&self, nodes: &[Node<'a>]) -> Result<Vec<Node<'a>>, OpenApiError> {
        let mut found = Vec::new();
        for node in nodes {
            for alternative in self.alternatives(node)? {
                if let Some(items) = alternative.value.get("items")
                    && let Some(items) =
                        self.resolve(items, child(&alternative.at, "items"), &alternative.refs)?
                {
                    found.push(items);
                }
            }
        }
        Ok(found)
    }

    /// Adds the property names of `nodes` to `out`, each prefixed with `prefix`, and those of
    /// the objects they hold as dotted paths below them.
    fn field_paths(
        &self,
        nodes: &[Node<'a>],
        prefix: &str,
        out: &mut BTreeSet<String>,
    ) -> Result<(), OpenApiError> {
        for (name, schemas) in self.properties(nodes)? {
            let path = format!("{prefix}{name}");
            self.field_paths(&schemas, &format!("{path}."), out)?;
            out.insert(path);
        }
        Ok(())
    }

    /// Adds the `enum` and `const` values of every `code` property found in `node`, through
    /// its alternatives, properties and array items.
    fn codes(&self, node: Node<'a>, out: &mut BTreeSet<String>) -> Result<(), OpenApiError> {
        for alternative in self.alternatives(&node)? {
            let at = child(&alternative.at, "properties");
            for (name, schema) in member_map(&alternative, "properties")?
                .into_iter()
                .flatten()
            {
                let Some(schema) = self.resolve(schema, child(&at, name), &alternative.refs)?
                else {
                    continue;
                };
                if name == "code" {
                    self.values(&schema, out)?;
                } else {
                    self.codes(schema, out)?;
                }
            }
            if let Some(items) = alternative.value.get("items")
                && let Some(items) =
                    self.resolve(items, child(&alternative.at, "items"), &alternative.refs)?
            {
                self.codes(items, out)?;
            }
        }
        Ok(())
    }

    /// Adds the text values a schema allows through `enum` and `const`.
    fn values(&self, node: &Node<'a>, out: &mut BTreeSet<String>) -> Result<(), OpenApiError> {
        for alternative in self.alternatives(node)? {
            let listed = alternative.value.get("enum").and_then(Value::as_array);
            let constant = alternative.value.get("const");
            for value in listed.into_iter().flatten().chain(constant) {
                if let Some(text) = value.as_str() {
                    out.insert(text.to_owned());
                }
            }
        }
        Ok(())
    }
}
