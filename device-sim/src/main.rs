//! `cargo run -p device-sim`: the Wisp device twin. See `--help`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use device_sim::{Options, run};

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let opts = Options::parse();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
        log::warn!("no Ctrl-C handler: {e}");
    }
    let result = run(&opts, &stop, |addr| {
        if opts.ws_only {
            log::info!("Wisp device twin (WebSocket only) at ws://{addr}/printf, /echo, /tap");
        } else {
            log::info!("Wisp device twin: dashboard at http://{addr}/  (WebSocket: ws://{addr}/printf, /echo, /tap)");
        }
    });
    match result {
        Ok(()) => {
            log::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            log::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
