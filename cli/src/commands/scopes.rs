//! `scopes`: the narrowest OAuth scopes that allow some operations on some modules, from the
//! SDK's `minimal_scopes`. Nothing is sent.

use serde::Serialize;
use zoho_crm::Module;
use zoho_crm::operations::Operation;
use zoho_crm::scopes::minimal_scopes;

use crate::args::{ScopeOp, ScopesArgs};
use crate::exit::Exit;
use crate::output::Output;

/// The SDK operations a short name stands for (a link upload needs what a file upload needs;
/// a command that makes several calls needs the scopes of each).
pub fn operations(op: ScopeOp) -> &'static [Operation] {
    match op {
        ScopeOp::Upload => &[Operation::UploadAttachment, Operation::UploadLinkAttachment],
        ScopeOp::List => &[Operation::ListAttachments],
        ScopeOp::Download => &[Operation::DownloadAttachment],
        ScopeOp::Delete => &[Operation::DeleteAttachment],
        ScopeOp::PhotoUpload => &[Operation::UploadPhoto],
        ScopeOp::PhotoDownload => &[Operation::DownloadPhoto],
        ScopeOp::PhotoDelete => &[Operation::DeletePhoto],
        // The field is read first, the files stored, then the record updated.
        ScopeOp::FieldUpload => &[
            Operation::GetRecord,
            Operation::UploadFiles,
            Operation::UpdateRecord,
        ],
        ScopeOp::FieldDownload => &[Operation::GetRecord, Operation::DownloadFieldFile],
        ScopeOp::Backup => &[
            Operation::ListAttachments,
            Operation::DownloadAttachment,
            Operation::DownloadPhoto,
            Operation::GetRecord,
            Operation::DownloadFieldFile,
        ],
    }
}

/// The scopes for `ops` on `modules` (Leads when none is given).
pub fn scopes(ops: &[ScopeOp], modules: &[Module]) -> Vec<String> {
    let default = [Module::Leads];
    let modules = if modules.is_empty() {
        &default[..]
    } else {
        modules
    };
    let needs: Vec<(Operation, Module)> = ops
        .iter()
        .flat_map(|op| operations(*op))
        .flat_map(|operation| modules.iter().map(|module| (*operation, module.clone())))
        .collect();
    minimal_scopes(&needs)
}

/// Runs `scopes`.
pub fn run(output: &Output, args: &ScopesArgs) -> Exit {
    let scopes = scopes(&args.ops, &args.module);
    for scope in &scopes {
        output.text(scope);
    }
    #[derive(Serialize)]
    struct Line<'a> {
        ok: bool,
        scopes: &'a [String],
        joined: String,
    }
    output.json_line(&Line {
        ok: true,
        scopes: &scopes,
        joined: scopes.join(","),
    });
    if !output.json {
        output.note(format!(
            "for the API console (comma-separated): {}",
            scopes.join(",")
        ));
    }
    Exit::Success
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_on_leads() {
        let all = [
            ScopeOp::Upload,
            ScopeOp::List,
            ScopeOp::Download,
            ScopeOp::Delete,
        ];
        assert_eq!(
            scopes(&all, &[]),
            [
                "ZohoCRM.modules.attachments.CREATE",
                "ZohoCRM.modules.attachments.DELETE",
                "ZohoCRM.modules.attachments.READ",
                "ZohoCRM.modules.leads.CREATE",
                "ZohoCRM.modules.leads.DELETE",
                "ZohoCRM.modules.leads.READ",
            ]
        );
    }
}
