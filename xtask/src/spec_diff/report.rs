//! The report: differences grouped by operation, one line each, with what agrees and notes
//! below them; then the OpenAPI operations the spec does not have (counted as one
//! difference, listed by name only); then a summary line.

use std::fmt;

use super::facts::{Body, Location};

/// Everything `spec-diff` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// One group per operation (and first, if any, one for operations only one side has).
    pub groups: Vec<Group>,
    /// The titles of the OpenAPI operations the spec has no operation for, not compared: a
    /// file such as Zoho's `record.json` describes many the spec does not need.
    pub only_in_openapi: Vec<String>,
}

/// What was found about one operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    /// Which operation: `METHOD path (operationId) vs spec_name, ...`.
    pub title: String,
    /// What differs, in report order.
    pub differences: Vec<Difference>,
    /// What both sides say alike, by kind of fact.
    pub agreements: Vec<Agreement>,
    /// Remarks that are no difference (a scope spelt in another case).
    pub notes: Vec<String>,
}

/// One kind of fact both sides agree on, with the values they share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    /// The kind of fact: `path parameters`, `parameters`, `statuses`, ...
    pub kind: String,
    /// The values, as the report writes them.
    pub values: Vec<String>,
}

/// One difference between the OpenAPI description and the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The OpenAPI description has it; the spec does not.
    OnlyInOpenApi(Item),
    /// The spec has it; the OpenAPI description does not.
    OnlyInSpec(Item),
    /// Both have the parameter, in different places.
    LocationDiffers {
        /// Its wire name.
        name: String,
        /// Where the OpenAPI description puts it.
        openapi: Vec<Location>,
        /// Where the spec puts it in the version compared.
        spec: Vec<Location>,
    },
    /// The two sides declare different numbers of path parameters.
    PathParameterCount {
        /// How many the OpenAPI description declares.
        openapi: usize,
        /// How many the spec declares.
        spec: usize,
    },
}

/// A thing only one side has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// An operation, as that side names it.
    Operation(String),
    /// A query, form, header or cookie parameter.
    Parameter {
        /// Its wire name.
        name: String,
        /// Where it goes.
        location: Location,
    },
    /// A field of a JSON success response.
    ResponseField {
        /// The spec type that holds it, or where it sits in the body when the spec has none.
        of: String,
        /// Its wire name, or dotted path below a field (`Owner.email`).
        field: String,
    },
    /// An HTTP status.
    Status(String),
    /// An error code.
    ErrorCode(String),
    /// An OAuth scope, as that side writes it.
    Scope(String),
    /// What a success response's body is.
    SuccessBody(Body),
    /// The OpenAPI operations that the spec has no operation for: how many.
    Operations(usize),
}

impl Report {
    /// How many differences there are.
    pub fn difference_count(&self) -> usize {
        self.groups
            .iter()
            .map(|group| group.differences.len())
            .sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for group in &self.groups {
            writeln!(f, "{}", group.title)?;
            if group.differences.is_empty() {
                writeln!(f, "  no differences")?;
            }
            for difference in &group.differences {
                writeln!(f, "  {difference}")?;
            }
            for agreement in &group.agreements {
                writeln!(f, "  {agreement}")?;
            }
            for note in &group.notes {
                writeln!(f, "  note: {note}")?;
            }
        }
        if !self.only_in_openapi.is_empty() {
            writeln!(f, "only in OpenAPI, not compared:")?;
            for title in &self.only_in_openapi {
                writeln!(f, "  {title}")?;
            }
        }
        match self.difference_count() {
            0 => writeln!(f, "no differences"),
            1 => writeln!(f, "1 difference"),
            count => writeln!(f, "{count} differences"),
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::OnlyInOpenApi(item) => write!(f, "only in OpenAPI: {item}"),
            Difference::OnlyInSpec(item) => write!(f, "only in the spec: {item}"),
            Difference::LocationDiffers {
                name,
                openapi,
                spec,
            } => write!(
                f,
                "location differs: parameter {name}: {} in OpenAPI, {} in the spec",
                locations(openapi),
                locations(spec)
            ),
            Difference::PathParameterCount { openapi, spec } => write!(
                f,
                "count differs: path parameters: {openapi} in OpenAPI, {spec} in the spec"
            ),
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Operation(name) => write!(f, "operation {name}"),
            Item::Parameter { name, location } => {
                write!(f, "{} parameter {name}", location.as_str())
            }
            Item::ResponseField { of, field } => write!(f, "response field of {of}: {field}"),
            Item::Status(status) => write!(f, "status {status}"),
            Item::ErrorCode(code) => write!(f, "error code {code}"),
            Item::Scope(scope) => write!(f, "scope {scope}"),
            Item::SuccessBody(body) => write!(f, "{} success body", body.as_str()),
            Item::Operations(1) => write!(f, "1 operation (listed below)"),
            Item::Operations(count) => write!(f, "{count} operations (listed below)"),
        }
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "agrees: {}: {}", self.kind, self.values.join(", "))
    }
}

/// `query`, or `query and form`.
fn locations(locations: &[Location]) -> String {
    locations
        .iter()
        .map(|location| location.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}
