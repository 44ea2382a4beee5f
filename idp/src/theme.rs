//! Page themes: minijinja templates and the Indonesian/English strings they use, read from
//! `themes/<name>/` (so a city can restyle pages without a rebuild), with a built-in copy of the
//! default theme when that directory is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gerbang_core::lang::Lang;

use crate::http::lang::UiLang;
use minijinja::{Environment, Value};

/// The default theme, compiled in as the fallback.
const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/base.html")),
    ("login.html", include_str!("../../themes/default/login.html")),
    ("account.html", include_str!("../../themes/default/account.html")),
    ("error.html", include_str!("../../themes/default/error.html")),
    ("consent.html", include_str!("../../themes/default/consent.html")),
    ("logout.html", include_str!("../../themes/default/logout.html")),
    ("logged_out.html", include_str!("../../themes/default/logged_out.html")),
    ("totp_enrol.html", include_str!("../../themes/default/totp_enrol.html")),
    ("recovery_codes.html", include_str!("../../themes/default/recovery_codes.html")),
    ("step_up.html", include_str!("../../themes/default/step_up.html")),
    ("notice.html", include_str!("../../themes/default/notice.html")),
    ("admin.html", include_str!("../../themes/default/admin.html")),
    ("register.html", include_str!("../../themes/default/register.html")),
    ("code.html", include_str!("../../themes/default/code.html")),
    ("reset.html", include_str!("../../themes/default/reset.html")),
    ("i18n/id.toml", include_str!("../../themes/default/i18n/id.toml")),
    ("i18n/en.toml", include_str!("../../themes/default/i18n/en.toml")),
    ("assets/gerbang.css", include_str!("../../themes/default/assets/gerbang.css")),
    ("assets/passkey.js", include_str!("../../themes/default/assets/passkey.js")),
    ("assets/register.js", include_str!("../../themes/default/assets/register.js")),
];

/// The scripts a theme serves under `/assets/`.
pub const SCRIPTS: [&str; 2] = ["passkey.js", "register.js"];

/// The page templates a theme provides.
const TEMPLATES: [&str; 15] = [
    "base.html",
    "login.html",
    "account.html",
    "error.html",
    "consent.html",
    "logout.html",
    "logged_out.html",
    "totp_enrol.html",
    "recovery_codes.html",
    "step_up.html",
    "notice.html",
    "admin.html",
    "register.html",
    "code.html",
    "reset.html",
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme file {name}: {reason}")]
    File { name: String, reason: String },
    #[error("template {0}: {1}")]
    Render(String, minijinja::Error),
}

#[derive(Clone)]
pub struct Theme {
    env: Arc<Environment<'static>>,
    strings: Arc<BTreeMap<Lang, Value>>,
    css: Arc<String>,
    scripts: Arc<BTreeMap<&'static str, String>>,
    /// Whether pages offer passkeys (set once the passkey service knows its relying party).
    passkeys_enabled: bool,
}

impl Theme {
    /// Loads `dir/default`, falling back file by file to the built-in copy.
    pub fn load(themes_dir: &Path) -> Result<Theme, ThemeError> {
        let dir = themes_dir.join("default");
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for name in TEMPLATES {
            env.add_template_owned(name.to_string(), read(&dir, name)?)
                .map_err(|e| ThemeError::File { name: name.into(), reason: e.to_string() })?;
        }
        let mut strings = BTreeMap::new();
        for lang in [Lang::Id, Lang::En] {
            let name = format!("i18n/{}.toml", lang.tag());
            let table: BTreeMap<String, String> = toml::from_str(&read(&dir, &name)?)
                .map_err(|e| ThemeError::File { name: name.clone(), reason: e.to_string() })?;
            strings.insert(lang, Value::from_serialize(&table));
        }
        let css = read(&dir, "assets/gerbang.css")?;
        let mut scripts = BTreeMap::new();
        for name in SCRIPTS {
            scripts.insert(name, read(&dir, &format!("assets/{name}"))?);
        }
        Ok(Theme {
            env: Arc::new(env),
            strings: Arc::new(strings),
            css: Arc::new(css),
            scripts: Arc::new(scripts),
            passkeys_enabled: false,
        })
    }

    /// Renders `name` with `ctx`, adding `lang` and the string table `t` of that language.
    pub fn render(&self, name: &str, lang: Lang, ctx: Value) -> Result<String, ThemeError> {
        self.render_with_links(name, lang, ctx, "?lang=id".into(), "?lang=en".into())
    }

    /// Renders a page for the request's language, with language links that keep its query.
    pub fn page(&self, name: &str, ui: &UiLang, ctx: Value) -> Result<String, ThemeError> {
        self.render_with_links(name, ui.lang, ctx, ui.href(Lang::Id), ui.href(Lang::En))
    }

    fn render_with_links(
        &self,
        name: &str,
        lang: Lang,
        ctx: Value,
        id: String,
        en: String,
    ) -> Result<String, ThemeError> {
        let template = self.env.get_template(name).map_err(|e| ThemeError::Render(name.into(), e))?;
        let t = self.strings.get(&lang).cloned().unwrap_or_default();
        let full = minijinja::context! {
            lang => lang.tag(), t => t, lang_href_id => id, lang_href_en => en, passkeys_enabled => self.passkeys_enabled, ..ctx
        };
        template.render(full).map_err(|e| ThemeError::Render(name.into(), e))
    }

    /// One string of the table, or its key when the theme lacks it (visible, not fatal).
    pub fn string(&self, lang: Lang, key: &str) -> String {
        self.strings
            .get(&lang)
            .and_then(|t| t.get_attr(key).ok())
            .filter(|v| !v.is_undefined())
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|| key.to_string())
    }

    pub fn with_passkeys(mut self, enabled: bool) -> Theme {
        self.passkeys_enabled = enabled;
        self
    }

    /// One of the [`SCRIPTS`].
    pub fn script(&self, name: &str) -> Option<&str> {
        self.scripts.get(name).map(String::as_str)
    }

    pub fn css(&self) -> &str {
        &self.css
    }
}

fn read(dir: &Path, name: &str) -> Result<String, ThemeError> {
    let path: PathBuf = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| ThemeError::File { name: name.into(), reason: "missing".into() }),
        Err(e) => Err(ThemeError::File { name: path.display().to_string(), reason: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let file = |name: &str| BUILTIN.iter().find(|(n, _)| *n == name).unwrap().1;
        let id: BTreeMap<String, String> = toml::from_str(file("i18n/id.toml")).unwrap();
        let en: BTreeMap<String, String> = toml::from_str(file("i18n/en.toml")).unwrap();
        assert_eq!(id.keys().collect::<Vec<_>>(), en.keys().collect::<Vec<_>>());
    }

    #[test]
    fn builtin_theme_renders_in_both_languages() {
        let theme = Theme::load(Path::new("/nonexistent")).unwrap();
        let ctx = minijinja::context! { status => 404u16, message => "x", title => "t", request_id => "r" };
        let id = theme.render("error.html", Lang::Id, ctx.clone()).unwrap();
        let en = theme.render("error.html", Lang::En, ctx).unwrap();
        assert!(id.contains("lang=\"id\"") && en.contains("lang=\"en\""));
        assert_ne!(id, en);
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn language_links_carry_the_query() {
        let theme = Theme::load(Path::new("/nonexistent")).unwrap();
        let ui = UiLang::detect(&"/masuk?return_to=%2Fakun&force=1".parse().unwrap(), &axum::http::HeaderMap::new());
        let ctx = minijinja::context! { status => 404u16, message => "x", title => "t", request_id => "r" };
        let html = theme.page("error.html", &ui, ctx).unwrap();
        assert!(html.contains("href=\"?return_to=%2Fakun&amp;force=1&amp;lang=en\""), "{html}");
    }
}
