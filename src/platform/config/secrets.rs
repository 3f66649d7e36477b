//! Secrets: the token, data and audit keys, decoded and checked; in development, missing
//! secrets are generated once and kept in `<storage.dir>/secrets.toml`.

use std::path::Path;

use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;

use super::{Profile, SecretSettings, Settings};

impl Settings {
    /// Makes sure both secrets are present. In development, missing secrets are generated once
    /// and kept in `<storage.dir>/secrets.toml`; production refuses to start without them.
    pub fn ensure_secrets(&mut self) -> anyhow::Result<()> {
        if self.profile == Profile::Production {
            if self.secrets.token_key.is_empty() || self.secrets.data_key.is_empty() {
                bail!("profile = production requires secrets.token_key and secrets.data_key (ZHUJIAN_SECRETS_TOKEN_KEY, ZHUJIAN_SECRETS_DATA_KEY)");
            }
        } else if self.secrets.token_key.is_empty() || self.secrets.data_key.is_empty() {
            let kept = load_or_generate_secrets(&self.storage.dir)?;
            if self.secrets.token_key.is_empty() {
                self.secrets.token_key = kept.token_key;
            }
            if self.secrets.data_key.is_empty() {
                self.secrets.data_key = kept.data_key;
            }
        }
        self.token_key()?;
        self.data_key()?;
        self.audit_keys()?;
        Ok(())
    }

    /// The configured audit key (`None`: derive one from the token key, development only)
    /// and the retired ones, decoded.
    pub fn audit_keys(&self) -> anyhow::Result<(Option<Vec<u8>>, Vec<Vec<u8>>)> {
        let decode = |text: &str| -> anyhow::Result<Vec<u8>> {
            let key = B64.decode(text.trim()).context("an audit key is not base64")?;
            if key.len() < 32 {
                bail!("audit keys must decode to at least 32 bytes");
            }
            Ok(key)
        };
        let current = match self.secrets.audit_key.trim() {
            "" => None,
            text => Some(decode(text).context("secrets.audit_key")?),
        };
        let retired = self
            .secrets
            .audit_retired_keys
            .iter()
            .map(|k| decode(k).context("secrets.audit_retired_keys"))
            .collect::<anyhow::Result<_>>()?;
        Ok((current, retired))
    }

    pub fn token_key(&self) -> anyhow::Result<Vec<u8>> {
        let key = B64
            .decode(self.secrets.token_key.trim())
            .context("secrets.token_key is not base64")?;
        if key.len() < 32 {
            bail!("secrets.token_key must decode to at least 32 bytes");
        }
        Ok(key)
    }

    pub fn data_key(&self) -> anyhow::Result<[u8; 32]> {
        let key = B64
            .decode(self.secrets.data_key.trim())
            .context("secrets.data_key is not base64")?;
        key.try_into()
            .map_err(|_| anyhow::anyhow!("secrets.data_key must decode to exactly 32 bytes"))
    }
}

fn load_or_generate_secrets(dir: &Path) -> anyhow::Result<SecretSettings> {
    let path = dir.join("secrets.toml");
    if path.exists() {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return toml::from_str(&text).with_context(|| format!("invalid {}", path.display()));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let secrets = SecretSettings {
        token_key: random_key(48),
        data_key: random_key(32),
        ..SecretSettings::default()
    };
    let text = format!(
        "# Generated on first start of the embedded default. Keep private; losing data_key\n\
         # makes encrypted personal data unreadable. Production sets secrets explicitly.\n{}",
        toml::to_string(&secrets)?
    );
    write_private(&path, &text)?;
    tracing::warn!(path = %path.display(), "generated development secrets; set secrets.* explicitly in production");
    Ok(secrets)
}

fn random_key(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::config::StorageSettings;

    #[test]
    fn development_secrets_are_generated_once_and_production_refuses_without() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Settings {
            storage: StorageSettings { dir: dir.path().into() },
            ..Default::default()
        };
        a.ensure_secrets().unwrap();
        let mut b = Settings {
            storage: StorageSettings { dir: dir.path().into() },
            ..Default::default()
        };
        b.ensure_secrets().unwrap();
        assert_eq!(a.secrets.token_key, b.secrets.token_key);
        assert_eq!(a.data_key().unwrap(), b.data_key().unwrap());
        let mut p = Settings {
            profile: Profile::Production,
            ..Default::default()
        };
        assert!(p.ensure_secrets().is_err());
    }
}
