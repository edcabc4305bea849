//! Memory of photo uploads (run by `bench/run` §6): the server binary is
//! started fresh for each row, warmed up with a page and one small upload, and
//! then sent N uploads of one 40-megapixel JPEG at once. The row is the peak
//! resident memory (`VmHWM`) the uploads added over the warmed-up resident
//! memory, read from `/proc`; and what each upload was answered.
//!
//! Environment: `SERVER_BIN`, `DATABASE_URL` (a database it may migrate and
//! seed), `BENCH_DATA_DIR`.

use anyhow::{Context, bail};
use std::io::Cursor;
use std::time::{Duration, Instant};

/// 7 296 × 5 472: a 40-megapixel camera's frame.
const SIZE: (u32, u32) = (7296, 5472);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let var = |k: &str| std::env::var(k).with_context(|| format!("{k} is not set"));
    let (bin, database, data) = (var("SERVER_BIN")?, var("DATABASE_URL")?, var("BENCH_DATA_DIR")?);
    let photo = camera_jpeg()?;
    let small = small_jpeg()?;
    println!(
        "One baseline JPEG of {} × {} ({:.1} MP, {} KB); {} cores.\n",
        SIZE.0,
        SIZE.1,
        f64::from(SIZE.0 * SIZE.1) / 1e6,
        photo.len() / 1024,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("| uploads at once | RSS before | peak RSS | added | added per decoded upload | answers |");
    println!("| ---: | ---: | ---: | ---: | ---: | --- |");
    for n in [1usize, 8] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let base = format!("http://127.0.0.1:{port}");
        let mut server = tokio::process::Command::new(&bin)
            .env("DATABASE_URL", &database)
            .env("PAWS_BIND", format!("127.0.0.1:{port}"))
            .env("DATA_DIR", &data)
            .env("SEED_DEMO", "true")
            .env("RUST_LOG", "warn")
            .env("REAPER_INTERVAL_MINUTES", "0")
            .env("GUESTS_PER_CLIENT_PER_HOUR", "1000000")
            .env("TILE_URL", "http://127.0.0.1:9/{z}/{x}/{y}.png")
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the server")?;
        let pid = server.id().context("no pid")?;
        wait_healthy(&base).await?;
        // Warm up: a page and a small upload, so what is measured is the big ones.
        reqwest::get(format!("{base}/venues/pawsome-bakery-berlin")).await?;
        upload(base.clone(), small.clone()).await?;
        let before = status_kb(pid, "VmRSS")?;
        let uploads: Vec<_> = (0..n)
            .map(|_| tokio::spawn(upload(base.clone(), photo.clone())))
            .collect();
        let mut codes = vec![];
        for upload in uploads {
            codes.push(upload.await.ok().and_then(Result::ok).unwrap_or(0));
        }
        let peak = status_kb(pid, "VmHWM")?;
        codes.sort_unstable();
        let decoded = codes.iter().filter(|c| **c == 201).count().max(1);
        let added = peak.saturating_sub(before);
        println!(
            "| {n} | {:.0} MB | {:.0} MB | {:.0} MB | {:.0} MB | {} |",
            mb(before),
            mb(peak),
            mb(added),
            mb(added) / decoded as f64,
            summary(&codes)
        );
        server.kill().await.ok();
    }
    Ok(())
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// "2 × 201, 4 × 503".
fn summary(codes: &[u16]) -> String {
    let mut out: Vec<String> = vec![];
    let mut i = 0;
    while i < codes.len() {
        let n = codes[i..].iter().take_while(|c| **c == codes[i]).count();
        out.push(format!("{n} × {}", codes[i]));
        i += n;
    }
    out.join(", ")
}

/// A field of `/proc/<pid>/status`, in kB.
fn status_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in /proc/{pid}/status"))
}

async fn wait_healthy(base: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        if Instant::now() > deadline {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// One upload to the demo venue by a new visitor (a guest is made for it).
async fn upload(base: String, bytes: Vec<u8>) -> anyhow::Result<u16> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let form = reqwest::multipart::Form::new()
        .part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name("big.jpg"),
        )
        .text("venue", "pawsome-bakery-berlin");
    let res = client
        .post(format!("{base}/api/photos?venue=pawsome-bakery-berlin"))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await?;
    Ok(res.status().as_u16())
}

/// A smooth picture with some texture, as a camera's baseline JPEG.
fn camera_jpeg() -> anyhow::Result<Vec<u8>> {
    let (w, h) = SIZE;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let t = ((x / 16 + y / 16) % 7) as u8;
        image::Rgb([
            (x * 255 / w) as u8 ^ t,
            (y * 255 / h) as u8,
            128u8.wrapping_add(t * 9),
        ])
    });
    jpeg(&img, 70)
}

fn small_jpeg() -> anyhow::Result<Vec<u8>> {
    jpeg(
        &image::RgbImage::from_pixel(64, 48, image::Rgb([200, 120, 40])),
        80,
    )
}

fn jpeg(img: &image::RgbImage, quality: u8) -> anyhow::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
        &mut out, quality,
    ))?;
    Ok(out.into_inner())
}
