//! Configuration without a server: data centres and environments, the `ZOHO_*` variables,
//! scope computations, and secrets that must never show in formatted output.

use std::collections::HashMap;
use std::str::FromStr as _;

use zoho_crm::operations::Operation;
use zoho_crm::scopes::{self, ScopeOperation};
use zoho_crm::{Client, ConfigError, DataCenter, EnvSettings, Environment, Module};

#[test]
fn data_centres_and_environments_give_their_urls() {
    assert_eq!(DataCenter::VALUES.len(), 9);
    let ids: Vec<&str> = DataCenter::VALUES.iter().map(|dc| dc.as_str()).collect();
    assert_eq!(ids, ["us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk"]);
    let eu = DataCenter::from_str("EU");
    assert_eq!(eu.as_ref().ok(), Some(&DataCenter::Eu));
    let endpoints = DataCenter::Eu.endpoints(Environment::Sandbox);
    assert_eq!(endpoints.api_base_url, "https://sandbox.zohoapis.eu");
    assert_eq!(endpoints.accounts_url, "https://accounts.zoho.eu");
    let ca = DataCenter::Ca.endpoints(Environment::Production);
    assert_eq!(ca.api_base_url, "https://www.zohoapis.ca");
    assert_eq!(ca.accounts_url, "https://accounts.zohocloud.ca");
    assert_eq!(
        DataCenter::Au
            .endpoints(Environment::Developer)
            .api_base_url,
        "https://developer.zohoapis.com.au"
    );
    assert_eq!(DataCenter::default(), DataCenter::Us);
    assert_eq!(Environment::default(), Environment::Production);
    let unknown = DataCenter::from_str("mars");
    assert!(
        matches!(&unknown, Err(ConfigError::UnknownDataCenter { known, .. }) if known.contains("eu")),
        "{unknown:?}"
    );
    assert!(matches!(
        Environment::from_str("staging"),
        Err(ConfigError::UnknownEnvironment { .. })
    ));
}

#[test]
fn a_client_picks_its_base_url_from_data_centre_and_environment() {
    let built = Client::builder()
        .data_center(DataCenter::Jp)
        .environment(Environment::Sandbox)
        .access_token("t")
        .build();
    let Ok(client) = built else {
        panic!("{built:?}");
    };
    assert_eq!(client.base_url(), "https://sandbox.zohoapis.jp");
    assert!(matches!(
        "xx".parse::<DataCenter>(),
        Err(ConfigError::UnknownDataCenter { .. })
    ));
    let unknown = Client::builder()
        .env_settings(settings(&[("ZOHO_DC", "xx")]))
        .access_token("t")
        .build();
    assert!(matches!(
        unknown,
        Err(ConfigError::UnknownDataCenter { .. })
    ));
}

fn settings(vars: &[(&str, &str)]) -> EnvSettings {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    EnvSettings::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn the_environment_configures_a_client() {
    let from_env = Client::builder()
        .env_settings(settings(&[
            ("ZOHO_ACCESS_TOKEN", "1000.access"),
            ("ZOHO_DC", "in"),
            ("ZOHO_ENVIRONMENT", "developer"),
        ]))
        .build();
    let Ok(client) = from_env else {
        panic!("{from_env:?}");
    };
    assert_eq!(client.base_url(), "https://developer.zohoapis.in");

    let explicit = Client::builder()
        .env_settings(settings(&[
            ("ZOHO_CLIENT_ID", "1000.client"),
            ("ZOHO_CLIENT_SECRET", "shh"),
            ("ZOHO_REFRESH_TOKEN", "1000.refresh"),
            ("ZOHO_API_BASE", "http://127.0.0.1:9"),
            ("ZOHO_ACCOUNTS_URL", "http://127.0.0.1:10"),
        ]))
        .build();
    let Ok(client) = explicit else {
        panic!("{explicit:?}");
    };
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert!(format!("{:?}", client.token_provider()).contains("RefreshTokenProvider"));

    for (vars, expected) in [
        (
            &[("ZOHO_CLIENT_ID", "id"), ("ZOHO_REFRESH_TOKEN", "r")][..],
            "ZOHO_CLIENT_SECRET",
        ),
        (
            &[("ZOHO_CLIENT_SECRET", "s"), ("ZOHO_REFRESH_TOKEN", "r")][..],
            "ZOHO_CLIENT_ID",
        ),
        (
            &[("ZOHO_CLIENT_ID", "id"), ("ZOHO_CLIENT_SECRET", "s")][..],
            "ZOHO_REFRESH_TOKEN",
        ),
    ] {
        let built = Client::builder().env_settings(settings(vars)).build();
        let Err(ConfigError::IncompleteCredentials(reason)) = &built else {
            panic!("{vars:?}: {built:?}");
        };
        assert!(reason.contains(expected), "{reason}");
    }
    let nothing = Client::builder().env_settings(settings(&[])).build();
    assert!(matches!(nothing, Err(ConfigError::MissingToken)));
    let clear_text = Client::builder()
        .env_settings(settings(&[
            ("ZOHO_ACCESS_TOKEN", "t"),
            ("ZOHO_API_BASE", "http://crm.example.com"),
        ]))
        .build();
    assert!(matches!(
        clear_text,
        Err(ConfigError::InvalidBaseUrl { .. })
    ));
}

#[test]
fn minimal_scopes_are_the_narrowest_pair_per_module() {
    assert_eq!(
        Operation::UploadAttachment.narrowest_scope(),
        ScopeOperation::Create
    );
    let scopes = scopes::minimal_scopes(&[
        (Operation::UploadAttachment, Module::Leads),
        (Operation::UploadAttachment, Module::PriceBooks),
        (Operation::UploadAttachment, Module::Leads),
    ]);
    assert_eq!(
        scopes,
        [
            "ZohoCRM.modules.attachments.CREATE",
            "ZohoCRM.modules.leads.CREATE",
            "ZohoCRM.modules.pricebooks.CREATE",
        ]
    );
}

#[test]
fn granted_scopes_are_checked_before_any_call() {
    let needs = [
        (Operation::UploadAttachment, Module::Leads),
        (Operation::UploadAttachment, Module::SalesOrders),
    ];
    assert!(scopes::check_granted("ZohoCRM.modules.ALL", &needs).is_ok());
    assert!(
        scopes::check_granted(
            "ZohoCRM.modules.leads.WRITE, ZohoCRM.modules.salesorders.ALL ZohoCRM.modules.attachments.create",
            &needs
        )
        .is_ok()
    );
    let missing = scopes::check_granted(
        "ZohoCRM.modules.leads.CREATE,ZohoCRM.modules.attachments.READ",
        &needs,
    );
    let Err(missing) = missing else {
        panic!("READ does not allow an upload");
    };
    assert_eq!(missing.0.len(), 2);
    assert_eq!(missing.0[0].module, Module::Leads);
    assert_eq!(missing.0[0].add, ["ZohoCRM.modules.attachments.CREATE"]);
    assert_eq!(missing.0[1].module, Module::SalesOrders);
    assert_eq!(
        missing.0[1].add,
        [
            "ZohoCRM.modules.salesorders.CREATE",
            "ZohoCRM.modules.attachments.CREATE"
        ]
    );
    let text = missing.to_string();
    assert!(text.contains("upload_attachment on Sales_Orders"), "{text}");
}
