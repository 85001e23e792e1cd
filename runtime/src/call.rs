//! The one generic call behind every generated operation: check each parameter against its
//! rules for the call's API version, build the path, query string and body from the
//! [`Operation`] descriptor, send, and decode the answer by the response type.

use std::future::Future;

use serde::de::DeserializeOwned;

use crate::body::RequestBody;
use crate::client::{Client, PreparedRequest};
use crate::descriptor::{Kind, Location, Operation, Param, Segment};
use crate::download::Download;
use crate::error::{Error, OperationError, ValidationError};
use crate::file_source::FileSource;
use crate::query::Query;
use crate::validate;
use crate::version::Version;
use crate::zoho::{self, ActionResponse, ActionResults, ListPage};

/// A parameter's value as the generated request passes it, in [`Operation::params`] order.
#[derive(Debug)]
pub enum Value {
    /// An optional parameter that is not set.
    Absent,
    /// A module, by API name, with the first version that has it.
    Module {
        /// The module's API name.
        api_name: String,
        /// The first API version that has the module, if not all do.
        since: Option<Version>,
        /// Whether it is a custom module (not one of the spec's built-in modules).
        custom: bool,
    },
    /// Text (an id, a URL, ...).
    Text(String),
    /// An integer.
    Integer(i64),
    /// A list of text items.
    List(Vec<String>),
    /// A file.
    File(FileSource),
    /// Several files.
    Files(Vec<FileSource>),
    /// A JSON value.
    Json(serde_json::Value),
}

impl Value {
    /// A module's value: its API name (already checked), the first version that has it, and
    /// whether it is a custom module.
    pub fn module(api_name: &str, since: Option<Version>, custom: bool) -> Value {
        Value::Module {
            api_name: api_name.to_owned(),
            since,
            custom,
        }
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Integer(value)
    }
}

impl From<Vec<String>> for Value {
    fn from(value: Vec<String>) -> Self {
        Value::List(value)
    }
}

impl From<FileSource> for Value {
    fn from(value: FileSource) -> Self {
        Value::File(value)
    }
}

impl From<Vec<FileSource>> for Value {
    fn from(value: Vec<FileSource>) -> Self {
        Value::Files(value)
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        Value::Json(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Absent, Into::into)
    }
}

/// A call's API version (the client's when `None`) and its parameter values, in
/// [`Operation::params`] order, as a generated request gives them.
pub type Call = (Option<Version>, Vec<Value>);

/// A generated request: its call's version and values.
pub trait IntoCall {
    /// The call's API version (the client's when `None`) and its values.
    fn into_call(self) -> Call;
}

impl IntoCall for Call {
    fn into_call(self) -> Call {
        self
    }
}

/// A successful answer's type, which says how it is read.
pub trait Answer<E: OperationError>: Sized {
    /// Sends `request` for `operation` and decodes the answer.
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send;
}

impl<T: DeserializeOwned + Send, E: OperationError + Send> Answer<E> for ActionResponse<T> {
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_action(request, operation.success_status)
    }
}

impl<T: DeserializeOwned + Send, E: OperationError + Send> Answer<E> for ActionResults<T, E> {
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_action_list(request, operation.success_status)
    }
}

impl<T, I, E> Answer<E> for ListPage<T, I>
where
    T: DeserializeOwned + Send,
    I: DeserializeOwned + Send,
    E: OperationError + Send,
{
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_list(request, operation.success_status, operation.empty_status)
    }
}

impl<E: OperationError + Send> Answer<E> for Option<Download> {
    fn fetch(
        client: &Client,
        request: PreparedRequest,
        operation: &'static Operation,
    ) -> impl Future<Output = Result<Self, Error<E>>> + Send {
        client.execute_binary(request, operation.success_status, operation.empty_status)
    }
}

impl Client {
    /// Runs `operation` with the values of `request` at its version: every parameter is
    /// checked before anything is sent. Generated operations call it.
    #[doc(hidden)]
    pub async fn call<A: Answer<E>, E: OperationError>(
        &self,
        operation: &'static Operation,
        request: impl IntoCall,
    ) -> Result<A, Error<E>> {
        let (version, values) = request.into_call();
        let version = version.unwrap_or_else(|| self.api_version());
        let request = prepare(operation, version, values)?;
        A::fetch(self, request, operation).await
    }
}

/// Checks `values` against the operation's rules and builds the request.
fn prepare(
    operation: &'static Operation,
    version: Version,
    values: Vec<Value>,
) -> Result<PreparedRequest, ValidationError> {
    check_values(operation, &values).map_err(|problem| sdk_bug(operation.name, &problem))?;
    for (param, value) in operation.params.iter().zip(&values) {
        check(param, value, version)?;
    }
    let mut path = String::new();
    for segment in operation.path {
        path.push('/');
        match segment {
            Segment::Literal(text) => path.push_str(text),
            Segment::Version => path.push_str(version.as_str()),
            Segment::Param(index) => match values.get(*index) {
                Some(Value::Module { api_name, .. }) => path.push_str(api_name),
                Some(Value::Text(text)) => path.push_str(text),
                _ => return Err(wrong_kind(operation.name)),
            },
        }
    }
    let mut query = Query::new();
    let pairs = operation.params.iter().zip(&values);
    for (param, value) in pairs.clone() {
        if param.location == Location::Query
            && let Some(text) = as_text(value)
        {
            query.push(param.name, text);
        }
    }
    let mut form = RequestBody::multipart();
    let mut json = serde_json::Map::new();
    for (param, value) in operation.params.iter().zip(values) {
        match (param.location, value) {
            (Location::Form, Value::File(source)) => {
                let limits = operation.limits.ok_or_else(|| wrong_kind(operation.name))?;
                form = form.file(param.name, source, limits);
            }
            (Location::Form, Value::Files(sources)) => {
                let limits = operation.limits.ok_or_else(|| wrong_kind(operation.name))?;
                for source in sources {
                    form = form.file(param.name, source, limits);
                }
            }
            (Location::Form, value) => {
                if let Some(text) = as_text(&value) {
                    if param.query_in.contains(&version) {
                        query.push(param.name, text);
                    } else {
                        form = form.text(param.name, text);
                    }
                }
            }
            (Location::Json, Value::Json(value)) => {
                json.insert(param.name.to_owned(), value);
            }
            (Location::Json, Value::Absent) => {}
            (Location::Json, value) => {
                if let Some(text) = as_text(&value) {
                    json.insert(param.name.to_owned(), serde_json::Value::String(text));
                }
            }
            _ => {}
        }
    }
    let body = if !json.is_empty() {
        Some(RequestBody::json(&serde_json::Value::Object(json)))
    } else {
        (!form.is_empty()).then_some(form)
    };
    query.append_to(&mut path);
    Ok(PreparedRequest {
        method: operation.method.to_reqwest(),
        path,
        path_template: operation.path_template,
        body,
        idempotent: operation.idempotent,
        credits: operation.credits,
    })
}

/// A value as it is written in a query string or a text field.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Text(text) => Some(text.clone()),
        Value::Integer(number) => Some(number.to_string()),
        Value::List(items) => Some(items.join(",")),
        Value::Module { api_name, .. } => Some(api_name.clone()),
        Value::Absent | Value::File(_) | Value::Files(_) | Value::Json(_) => None,
    }
}

/// Checks one value against its parameter's rules for `version`.
fn check(param: &Param, value: &Value, version: Version) -> Result<(), ValidationError> {
    let name = param.name;
    match (param.kind, value) {
        (_, Value::Absent) => {}
        (
            Kind::Module,
            Value::Module {
                api_name,
                since,
                custom,
            },
        ) => {
            if !*custom && !param.modules.is_empty() && !param.modules.contains(&api_name.as_str())
            {
                return Err(ValidationError::ModuleNotSupported {
                    module: api_name.clone(),
                    parameter: name,
                    supported: param.modules,
                });
            }
            if let Some(since) = *since
                && version < since
            {
                return Err(ValidationError::ModuleNotInVersion {
                    module: api_name.clone(),
                    since: since.as_str(),
                    version: version.to_string(),
                });
            }
        }
        (Kind::RecordId, Value::Text(text)) => zoho::record_id(text)?,
        (Kind::Id, Value::Text(text)) => zoho::id(name, text)?,
        (Kind::Text, Value::Text(text)) => validate::text(name, text)?,
        (Kind::Url, Value::Text(text)) => validate::http_url(text)?,
        (Kind::Integer, Value::Integer(number)) => {
            validate::range(name, *number, param.min, param.max)?;
        }
        (Kind::TextList | Kind::IdList, Value::List(items)) => {
            let length = i64::try_from(items.len()).unwrap_or(i64::MAX);
            validate::range(name, length, param.min, param.max)?;
            for item in items {
                if param.kind == Kind::IdList {
                    zoho::id(name, item)?;
                } else {
                    validate::list_item(name, item)?;
                }
            }
        }
        (Kind::File, Value::File(_)) | (Kind::Json, Value::Json(_)) => {}
        (Kind::FileList, Value::Files(files)) => {
            let count = i64::try_from(files.len()).unwrap_or(i64::MAX);
            validate::range(name, count, param.min.or(Some(1)), param.max)?;
        }
        _ => return Err(wrong_kind(name)),
    }
    let present = !matches!(value, Value::Absent);
    if let Some(since) = param.since
        && present
        && version < since
    {
        return Err(ValidationError::ParameterNotInVersion {
            name,
            since: since.as_str(),
            version: version.to_string(),
        });
    }
    if let Some(required_from) = param.required_from
        && !present
        && version >= required_from
    {
        return Err(ValidationError::MissingParameter {
            name,
            required_from: required_from.as_str(),
            version: version.to_string(),
        });
    }
    Ok(())
}

/// Checks that `values` fit `operation` as a generated request's values must: one per
/// parameter, each of the variant its parameter's kind takes (`Absent` only outside the path),
/// a file only where the operation has upload limits, and the path segments and pagination
/// pointing at parameters that can fill them. Each generated operation's tests call it; a call
/// runs it too, so a misfit is an error and never a panic. The error says what does not fit.
#[doc(hidden)]
pub fn check_values(operation: &Operation, values: &[Value]) -> Result<(), String> {
    let params = operation.params;
    if values.len() != params.len() {
        return Err(format!(
            "the descriptor has {} parameters but the request gave {} values",
            params.len(),
            values.len()
        ));
    }
    for (index, (param, value)) in params.iter().zip(values).enumerate() {
        let name = param.name;
        let absent = matches!(value, Value::Absent);
        if absent && param.location == Location::Path {
            return Err(format!("path parameter {index} (`{name}`) has no value"));
        }
        if !absent && !fits(param.kind, value) {
            return Err(format!(
                "parameter {index} (`{name}`) takes {:?} but the request gave {}",
                param.kind,
                describe(value)
            ));
        }
        if matches!(param.kind, Kind::File | Kind::FileList) && operation.limits.is_none() {
            return Err(format!(
                "parameter {index} (`{name}`) is a file but the descriptor has no upload limits"
            ));
        }
    }
    for segment in operation.path {
        if let Segment::Param(index) = *segment
            && params
                .get(index)
                .is_none_or(|p| p.location != Location::Path)
        {
            return Err(format!(
                "a path segment takes parameter {index}, which is not a path parameter"
            ));
        }
    }
    if let Some(pagination) = operation.pagination {
        let is = |index: usize, kind: Kind| params.get(index).is_some_and(|p| p.kind == kind);
        if !is(pagination.page, Kind::Integer) {
            return Err(format!(
                "the page number goes in parameter {}, which is not an integer parameter",
                pagination.page
            ));
        }
        if let Some(token) = pagination.token
            && !is(token, Kind::Text)
        {
            return Err(format!(
                "the page token goes in parameter {token}, which is not a text parameter"
            ));
        }
    }
    Ok(())
}

/// Whether `value` is the variant a parameter of `kind` takes.
fn fits(kind: Kind, value: &Value) -> bool {
    matches!(
        (kind, value),
        (Kind::Module, Value::Module { .. })
            | (
                Kind::RecordId | Kind::Id | Kind::Text | Kind::Url,
                Value::Text(_)
            )
            | (Kind::Integer, Value::Integer(_))
            | (Kind::TextList | Kind::IdList, Value::List(_))
            | (Kind::File, Value::File(_))
            | (Kind::FileList, Value::Files(_))
            | (Kind::Json, Value::Json(_))
    )
}

/// What variant a value is, for [`check_values`]' messages.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Absent => "no value",
        Value::Module { .. } => "a module",
        Value::Text(_) => "text",
        Value::Integer(_) => "an integer",
        Value::List(_) => "a list",
        Value::File(_) => "a file",
        Value::Files(_) => "files",
        Value::Json(_) => "JSON",
    }
}

/// Values that do not fit the descriptor: a bug in the SDK (its generated tests check every
/// operation's values), reported as an error rather than a panic and not blamed on the input.
fn sdk_bug(name: &'static str, problem: &str) -> ValidationError {
    ValidationError::InvalidParameter {
        name,
        reason: format!("a bug in the SDK, not in your input (please report it): {problem}"),
    }
}

/// [`sdk_bug`] where the check has passed but a value still does not fit.
pub(crate) fn wrong_kind(name: &'static str) -> ValidationError {
    sdk_bug(name, "a value does not fit the operation's descriptor")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::{HttpMethod, Pagination};
    use crate::file_source::UploadLimits;

    const V1: Version = Version::new(1, "v1");

    /// A made-up listing: a path id, a page number, a token and a file.
    const LISTING: Operation = Operation {
        name: "list_things",
        method: HttpMethod::Get,
        path_template: "/{version}/things/{id}",
        path: &[
            Segment::Version,
            Segment::Literal("things"),
            Segment::Param(0),
        ],
        params: &[
            Param::id("id").path(),
            Param::integer("page"),
            Param::text("token"),
            Param::file("file").form(),
        ],
        idempotent: true,
        credits: 1,
        success_status: &[200],
        empty_status: &[],
        limits: Some(UploadLimits {
            max_file_bytes: 10,
            forbidden_extensions: &[],
            image: None,
        }),
        pagination: Some(Pagination::new(1).token(2)),
    };

    fn file() -> Value {
        Value::File(FileSource::from_bytes("a.txt", &b"a"[..]))
    }

    #[test]
    fn values_that_fit_pass_and_optional_ones_may_be_absent() {
        let all = [
            Value::Text("1".into()),
            Value::Integer(2),
            Value::Text("t".into()),
            file(),
        ];
        assert_eq!(check_values(&LISTING, &all), Ok(()));
        let required = [
            Value::Text("1".into()),
            Value::Absent,
            Value::Absent,
            Value::Absent,
        ];
        assert_eq!(check_values(&LISTING, &required), Ok(()));
    }

    #[test]
    fn each_misfit_is_described() {
        let id = || Value::Text("1".into());
        assert_eq!(
            check_values(&LISTING, &[id()]).err().as_deref(),
            Some("the descriptor has 4 parameters but the request gave 1 values")
        );
        assert_eq!(
            check_values(
                &LISTING,
                &[Value::Absent, Value::Absent, Value::Absent, Value::Absent]
            )
            .err()
            .as_deref(),
            Some("path parameter 0 (`id`) has no value")
        );
        assert_eq!(
            check_values(
                &LISTING,
                &[id(), Value::Text("2".into()), Value::Absent, Value::Absent]
            )
            .err()
            .as_deref(),
            Some("parameter 1 (`page`) takes Integer but the request gave text")
        );
        let without_limits = Operation {
            limits: None,
            ..LISTING
        };
        let values = [id(), Value::Absent, Value::Absent, Value::Absent];
        assert_eq!(
            check_values(&without_limits, &values).err().as_deref(),
            Some("parameter 3 (`file`) is a file but the descriptor has no upload limits")
        );
        let token_on_page = Operation {
            pagination: Some(Pagination::new(1).token(1)),
            ..LISTING
        };
        assert_eq!(
            check_values(&token_on_page, &values).err().as_deref(),
            Some("the page token goes in parameter 1, which is not a text parameter")
        );
        let path_on_query = Operation {
            path: &[Segment::Param(1)],
            ..LISTING
        };
        assert_eq!(
            check_values(&path_on_query, &values).err().as_deref(),
            Some("a path segment takes parameter 1, which is not a path parameter")
        );
    }

    #[test]
    fn a_call_whose_values_misfit_is_an_sdk_bug_error_not_a_panic() {
        let error = prepare(&LISTING, V1, vec![Value::Integer(1)]).err();
        let shown = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            shown.contains("a bug in the SDK, not in your input"),
            "{shown}"
        );
        assert!(
            shown.contains("4 parameters but the request gave 1"),
            "{shown}"
        );
    }
}
