//! `zoho-crm`: upload, list, download and delete Zoho CRM record attachments from the command
//! line, upload thousands of files resumably from a CSV manifest, print the OAuth scopes to
//! request, and set up OAuth tokens. Built on the `zoho-crm` SDK's public API only.

fn main() -> std::process::ExitCode {
    zoho_crm_cli::main()
}
