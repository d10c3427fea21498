use super::*;

fn repo_config() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Leptos.toml")).unwrap()
}

fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_toml_str(&repo_config(), "Leptos.toml", &env)
}

#[test]
fn shipped_configuration_loads() {
    let c = load(&[]).expect("Leptos.toml must load");
    assert_eq!(c.site.name, "The Calloway Ledger");
    assert!(c.sections.len() >= 6);
    assert_eq!(c.newsletters.len(), 3);
    assert_eq!(c.tz, chrono_tz::Europe::Dublin);
}

#[test]
fn environment_overrides_any_key_with_its_type() {
    let c = load(&[
        ("NEWSROOM__SITE__NAME", "Other Paper"),
        ("NEWSROOM__MAIL__SMTP_PORT", "2525"),
        ("NEWSROOM__PROMO__ENABLED", "false"),
        ("NEWSROOM__MAIL__SMTP_PASSWORD", "12345"),
        ("DATABASE_URL", "sqlite://elsewhere.db"),
    ])
    .unwrap();
    assert_eq!(c.site.name, "Other Paper");
    assert_eq!(c.mail.smtp_port, 2525);
    assert!(!c.promo.enabled);
    // Numeric-looking text for a text key stays text.
    assert_eq!(c.mail.smtp_password, "12345");
    assert_eq!(c.storage.database_url, "sqlite://elsewhere.db");
}

#[test]
fn environment_can_replace_whole_arrays() {
    let c = load(&[
        (
            "NEWSROOM__SECTIONS",
            r#"[{slug="a", title="A"}, {slug="b", title="B"}]"#,
        ),
        ("NEWSROOM__MENUS__HEADER", r#"["a"]"#),
    ])
    .unwrap();
    assert_eq!(c.sections.len(), 2);
}

#[test]
fn bad_values_name_their_key() {
    let cases: &[(&str, &str, &str)] = &[
        ("NEWSROOM__MAIL__SMTP_PORT", "not-a-port", "mail.smtp_port"),
        ("NEWSROOM__MAIL__SMTP_PORT", "70000", "mail.smtp_port"),
        (
            "NEWSROOM__SITE__TIME_ZONE",
            "Mars/Olympus",
            "site.time_zone",
        ),
        ("NEWSROOM__SITE__BASE_URL", "not a url", "site.base_url"),
        ("NEWSROOM__MAIL__TRANSPORT", "pigeon", "mail.transport"),
        (
            "NEWSROOM__STORAGE__DATABASE_URL",
            "mysql://x",
            "storage.database_url",
        ),
        ("NEWSROOM__SECURITY__SECRET", "short", "security.secret"),
        ("NEWSROOM__MENUS__HEADER", r#"["nope"]"#, "menus.header[0]"),
        ("NEWSROOM__SITE__COLOUR", "blue", "site"),
        (
            "NEWSROOM__SECTIONS",
            r#"[{slug="editor", title="Editor"}]"#,
            "sections[0].slug",
        ),
    ];
    for (var, value, key) in cases {
        let err = load(&[(var, value)]).expect_err(var).to_string();
        assert!(
            err.contains(key),
            "{var}={value}: error {err:?} should name {key}"
        );
    }
}

#[test]
fn slugs_are_strict() {
    assert!(is_slug("climate-desk-2"));
    for bad in ["", "-a", "a-", "a--b", "Caps", "sp ace", "ü"] {
        assert!(!is_slug(bad), "{bad:?}");
    }
}

#[test]
fn secrets_do_not_appear_in_debug_output() {
    let c = load(&[
        ("NEWSROOM__MAIL__SMTP_PASSWORD", "hunter2-hunter2"),
        (
            "NEWSROOM__SECURITY__SECRET",
            "0123456789abcdef0123456789abcdef-xyz",
        ),
        ("NEWSROOM__CDN__FASTLY_TOKEN", "fastly-token-s3cr3t"),
    ])
    .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("s3cr3t"));
    assert!(!dbg.contains("hunter2"));
    assert!(!dbg.contains("0123456789abcdef"));
}
