//! The `zhujian` command: the server and its operator commands.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use zhujian::audit::VerifyReport;
use zhujian::auth::{passwords, Role};
use zhujian::clock::{Clock, SystemClock};
use zhujian::config::{Settings, SETTINGS_HELP};
use zhujian::types::{DistrictCode, Name, NewPassword};
use zhujian::{db, observe, server, staff, AppState};

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
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI document (the committed copy is mini-program-api/openapi.json).
    Openapi,
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
enum AuditCommand {
    /// Check the hash chain; names the first broken row and exits 1 if there is one.
    Verify,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load(cli.config.as_deref())?;
    observe::init_logging(&settings.log);
    if let Some(Command::Openapi) = cli.command {
        print!("{}", zhujian::openapi::document_json());
        return Ok(());
    }
    settings.ensure_secrets()?;
    settings.check()?;
    settings.check_production()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command.unwrap_or(Command::Serve), settings))
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let (pool, engine) = db::connect(&settings).await?;
    db::migrate(&pool, engine).await?;
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
        Command::Audit {
            command: AuditCommand::Verify,
        } => match zhujian::audit::verify(&pool).await? {
            VerifyReport::Intact { events } => {
                println!("audit chain intact: {events} events");
                Ok(())
            }
            VerifyReport::Broken { seq, reason } => {
                println!("audit chain broken at row {seq}: {reason}");
                std::process::exit(1);
            }
        },
        Command::Openapi => unreachable!("handled before connecting"),
    }
}

async fn serve(settings: Settings, pool: db::Db, engine: db::Engine) -> anyhow::Result<()> {
    let listen = settings.server.listen.clone();
    let grace = Duration::from_secs(settings.server.shutdown_grace_secs);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = AppState::new(settings, pool, engine, clock)?;
    tokio::spawn(zhujian::documents::sweeper::run(state.clone()));
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, engine = ?engine, "zhujian is serving");
    server::serve(listener, zhujian::router(state), server::termination_signal(), grace).await?;
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
    let name = Name::<100>::parse(name).map_err(|e| anyhow::anyhow!("--name: {}", e.message.en))?;
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
    let id = staff::store::insert(pool, &new, zhujian::clock::system_now_ms())
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
