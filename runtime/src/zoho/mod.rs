//! Zoho's protocol, in one place: its JSON envelopes (`data`, `info`, `code`, `details`,
//! `status`), how its token endpoint really answers, and its id formats. Everything else of an
//! API (paths, parameters, limits, error codes, data centres) comes from the spec through the
//! generated code; the engine (client, call, retries, timeouts, redirects, pagination) speaks
//! only of operations, attempts and bodies, and asks this module what an answer means.

mod custom_module;
mod envelope;
mod ids;
mod token_answer;

pub use custom_module::CustomModule;
pub(crate) use envelope::error_code;
pub use envelope::{
    ActionResponse, ActionResults, ListPage, decode_action, decode_action_list, decode_error,
    decode_list,
};
pub use ids::{id, record_id};
pub(crate) use token_answer::parse_token_response;
