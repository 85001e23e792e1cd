//! Decodes arbitrary bytes as the answer of every operation, under every status the operations
//! know, with each operation's response and error types. Nothing may panic; an undecodable
//! body gives an error whose snippet is bounded and printable.

#![no_main]

use libfuzzer_sys::fuzz_target;
use zoho_crm::operations::{
    DeleteAttachmentError, DeleteAttachmentsError, ListAttachmentsError, UploadAttachmentError,
    UploadLinkAttachmentError,
};
use zoho_crm::types::{Attachment, AttachmentDetails, DeletedAttachment, ListInfo};
use zoho_crm_runtime::__private::{decode_action, decode_action_list, decode_error, decode_list};
use zoho_crm_runtime::{Error, SNIPPET_CHARS};

const STATUSES: [u16; 12] = [200, 201, 204, 207, 400, 401, 403, 404, 413, 429, 500, 503];

/// The invariants of any error: bounded, printable snippets.
fn check<E: std::error::Error>(error: &Error<E>) {
    let snippet = match error {
        Error::Decode(e) => &e.snippet,
        Error::UnreadableSuccess(e) => &e.snippet,
        _ => return,
    };
    assert!(snippet.chars().count() <= SNIPPET_CHARS);
    assert!(!snippet.chars().any(char::is_control));
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, body)) = input.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(selector) % STATUSES.len()];
    if let Err(e) =
        decode_action::<AttachmentDetails, UploadAttachmentError>(status, body, &[200, 201])
    {
        check(&e);
    }
    if let Err(e) =
        decode_action::<AttachmentDetails, UploadLinkAttachmentError>(status, body, &[200, 201])
    {
        check(&e);
    }
    if let Err(e) = decode_action::<DeletedAttachment, DeleteAttachmentError>(status, body, &[200])
    {
        check(&e);
    }
    if let Err(e) =
        decode_action_list::<DeletedAttachment, DeleteAttachmentsError>(status, body, &[200, 207])
    {
        check(&e);
    }
    if let Err(e) =
        decode_list::<Attachment, ListInfo, ListAttachmentsError>(status, body, &[200], &[204])
    {
        check(&e);
    }
    check(&decode_error::<ListAttachmentsError>(status, body));
});
