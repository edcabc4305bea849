//! `DATABASE_URL=postgres://… cargo run -p playlists`: serves on `PORT`
//! (3100), mail written to `MAIL_DIR` (`./mail`), links to `PUBLIC_URL`.

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let port: u16 = var("PORT", "3100").parse()?;
    let public_url = var("PUBLIC_URL", &format!("http://127.0.0.1:{port}"));
    let pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    playlists::migrate(&pool).await?;
    let (router, sender) = playlists::build(pool.clone(), &public_url, var("MAIL_DIR", "mail").into())?;
    tokio::spawn(playlists::send_mail(pool, sender));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("playlists on {public_url}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
