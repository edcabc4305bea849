//! Building the application (pool, migrations, router, listener) and running it
//! until a shutdown signal.

use crate::jobs::Background;
use crate::notify::Signals;
use crate::page_cache::PageCache;
use crate::routes;
use crate::settings::{MailTransport, Settings};
use crate::state::{AppState, Shared};
use anyhow::Context as _;
use app::{App, ShellConfig, shell};
use axum::Router;
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use paws_inside::context::{Config, Context, PublicPages, Services};
use paws_inside::mail::Mailer;
use paws_inside::mail::outbox::Sender;
use paws_inside::password::Hasher;
use paws_inside::photos::{PhotoLimits, PhotoService};
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;

/// A built, bound, not yet running server.
pub struct Application {
    listener: TcpListener,
    metrics: Option<TcpListener>,
    router: Router,
    pool: PgPool,
    photos: PhotoService,
    background: Background,
    /// False from the shutdown signal on: `/readyz` then answers 503.
    ready: Arc<AtomicBool>,
    /// How long to keep serving, not ready, before draining.
    grace: Duration,
}

impl Application {
    /// Connects to the database, migrates and seeds as configured, builds the
    /// router and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // What the identity crate counts goes into our metrics, under our names.
        paws_inside::metrics::install();
        let pool =
            paws_inside::db::connect_lazy(settings.database.url.expose(), settings.database.max_connections)?;
        if settings.database.run_migrations {
            paws_inside::db::migrate(&pool).await?;
        }
        if settings.database.seed_demo {
            paws_inside::venues::seed::seed_demo_if_empty(&pool).await?;
        }
        check_hash_file(&settings.leptos)?;
        let store = settings.media.open_store()?;
        store
            .check()
            .await
            .with_context(|| format!("the photo store {store} cannot be used"))?;
        let limits = PhotoLimits {
            max_bytes: settings.media.photo_max_bytes,
            max_pixels: settings.media.photo_max_pixels,
        };
        // Decoding is CPU-bound: at most one image per core at a time.
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let photos = PhotoService::new(store.clone(), limits, cores);
        let mailer = match &settings.mail.transport {
            MailTransport::Smtp(smtp) => Mailer::smtp(smtp, &settings.mail.from)?,
            MailTransport::Folder(dir) => {
                tracing::warn!(dir = %dir.display(), "no SMTP_HOST: emails are written to a folder");
                Mailer::folder(dir.clone(), &settings.mail.from)?
            }
        };
        let cache = PageCache::new(Duration::from_secs(settings.http.page_cache_seconds));
        let ready = Arc::new(AtomicBool::new(true));
        let oidc =
            paws_inside::auth::oidc::providers(settings.sessions.openid.clone(), &settings.http.public_url)?;
        let funnel = paws_inside::auth::funnel::MadeCounts::default();
        let router = router(
            &settings,
            pool.clone(),
            photos.clone(),
            cache.clone(),
            ready.clone(),
            oidc,
            paws_inside::auth::passkeys::relying_party(&settings.http.public_url)?,
            funnel.clone(),
        );
        let listener = TcpListener::bind(settings.http.bind)
            .await
            .with_context(|| format!("could not listen on {}", settings.http.bind))?;
        let metrics = match settings.http.metrics_bind {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("could not listen on {addr} for metrics"))?,
            ),
            None => None,
        };
        Ok(Self {
            listener,
            metrics,
            router,
            background: Background {
                pool: pool.clone(),
                database_url: settings.database.url.expose().to_owned(),
                store,
                reaper_every: (settings.limits.reaper_interval_minutes > 0)
                    .then(|| Duration::from_secs(settings.limits.reaper_interval_minutes * 60)),
                guest_idle_days: settings.limits.guest_idle_days,
                mail: Sender {
                    mailer,
                    retry: settings.mail.retry,
                    public_url: settings.http.public_url.clone(),
                    link_minutes: settings.sessions.magic_link_minutes,
                    words: std::sync::Arc::new(paws_inside::mail::outbox::PawsWords {
                        public_url: settings.http.public_url.clone(),
                    }),
                },
                signals: Signals::new(cache),
                funnel,
            },
            pool,
            photos,
            ready,
            grace: Duration::from_secs(settings.http.shutdown_grace_seconds),
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The port of the metrics listener, if one is configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
    }

    /// The database pool the app uses.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Its photo service (decoders and upload places are per instance).
    pub fn photos(&self) -> &PhotoService {
        &self.photos
    }

    /// Serves until SIGINT or SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` resolves, then (after the grace period, not
    /// ready) drains in-flight requests.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let addr = self.listener.local_addr()?;
        tracing::info!(%addr, "listening on http://{addr}");
        let background = self.background.start();
        let (ready, grace) = (self.ready, self.grace);
        let shutdown = async move {
            shutdown.await;
            // A load balancer polling /readyz stops sending new requests here
            // before the listener closes.
            ready.store(false, Ordering::SeqCst);
            if !grace.is_zero() {
                tracing::info!(seconds = grace.as_secs(), "not ready; draining soon");
                tokio::time::sleep(grace).await;
            }
        };
        let metrics = self.metrics.map(|listener| {
            let router = crate::metrics::router(self.pool.clone());
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, router).await {
                    tracing::error!(error = %err, "metrics listener stopped");
                }
            })
        });
        // Without TCP_NODELAY a response written in several pieces waits for the
        // client's delayed ACK (~40 ms per request on Linux).
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error");
        // Background work stops with the server (in-flight requests are drained above).
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        background.stop().await;
        served?;
        self.pool.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The whole router: health check, static assets, Leptos pages and server functions.
#[allow(clippy::too_many_arguments)]
fn router(
    settings: &Settings,
    pool: PgPool,
    photos: PhotoService,
    cache: PageCache,
    ready: Arc<AtomicBool>,
    oidc: paws_inside::auth::oidc::Providers,
    passkeys: paws_inside::auth::passkeys::Passkeys,
    funnel: paws_inside::auth::funnel::MadeCounts,
) -> Router {
    // Flows say when a public page changed: this instance's copies go at
    // once, the other instances' when the announcement reaches them.
    let public_pages = PublicPages::new({
        let cache = cache.clone();
        move || cache.changed()
    });
    let config = std::sync::Arc::new(Config {
        public_url: settings.http.public_url.clone(),
        link_minutes: settings.sessions.magic_link_minutes,
        reauth_minutes: settings.sessions.reauth_minutes,
        limits: paws_inside::limits::Limits {
            guests_per_client_per_hour: settings.limits.guests_per_client_per_hour,
        },
    });
    // Each argon2id hash holds 19 MiB: at most one per core at a time.
    let hasher = Hasher::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let passkeys = passkeys.limited(paws_inside::auth::passkeys::limit(&config.limits));
    let oidc = oidc.limited(paws_inside::auth::oidc::limit(&config.limits));
    let ctx = Context::new(Services {
        pool: pool.clone(),
        hasher: hasher.clone(),
        photos: photos.clone(),
        minter: std::sync::Arc::new(paws_inside::auth::guest::minter(&config.limits)),
        identity: paws_inside::auth::identity(
            pool.clone(),
            std::sync::Arc::new(paws_inside::hooks::PawsHooks::new(
                pool.clone(),
                photos.store.clone(),
                public_pages.clone(),
            )),
            hasher,
            &config.limits,
            config.identity(),
        ),
        config,
        oidc,
        passkeys,
        public_pages,
        funnel,
    });
    let state = AppState::new(Shared {
        leptos: settings.leptos.clone(),
        pool: pool.clone(),
        photos: photos.clone(),
        upload_body: settings.media.upload_body,
        ctx: ctx.clone(),
        ready,
    });
    let timing = app::bot::FormTiming {
        min_fill_ms: settings.limits.form_min_fill_ms,
    };
    let shell_config = ShellConfig {
        tile_url: settings.http.tile_url.clone(),
        tile_attribution: settings.http.tile_attribution.clone(),
        form_targets: settings
            .sessions
            .openid
            .iter()
            .filter_map(|p| origin(&p.issuer))
            .collect(),
    };
    let context = move || {
        // Shared handles only: this runs for every request.
        provide_context(pool.clone());
        provide_context(ctx.clone());
        provide_context(timing);
    };
    let page_shell = {
        let (options, config) = (state.leptos.clone(), shell_config.clone());
        move || shell(options.clone(), config.clone())
    };
    let fallback_shell = move |options| shell(options, shell_config.clone());

    let pages = Router::new()
        .leptos_routes_with_context(&state, route_list(), context.clone(), page_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context,
            fallback_shell,
        ));
    routes::wrap(pages, &state, settings, cache).with_state(state)
}

/// The app's routes, generated once per process. Generating them renders the
/// app with resource loading suppressed process-wide, which can strand a render
/// running at the same moment (leptos#4773); once, before anything serves, is safe
/// even when tests start many applications in one process.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: OnceLock<Vec<leptos_axum::AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// With hashed asset names, Leptos reads `hash.txt` beside the binary on every
/// page; fail at startup, not on the first request, when it is missing.
fn check_hash_file(options: &LeptosOptions) -> anyhow::Result<()> {
    if !options.hash_files {
        return Ok(());
    }
    let exe = std::env::current_exe().context("cannot locate the server binary")?;
    let path = exe
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join(options.hash_file.as_ref());
    anyhow::ensure!(
        path.exists(),
        "LEPTOS_HASH_FILES is on but {} is missing; build with cargo-leptos or unset it",
        path.display()
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, draining requests");
}

/// `https://id.example/realms/x` → `https://id.example` (scheme, host, port).
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}
