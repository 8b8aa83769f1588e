//! SIGINT/SIGTERM: resolve once either arrives (cli.md: drop every live call, exit 0).
use tokio::signal::unix::{signal, SignalKind};

/// Completes on SIGINT or SIGTERM. A signal that cannot be watched is logged and ignored
/// rather than treated as received.
pub async fn shutdown_requested() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(%e, "cannot watch SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(e) => {
                tracing::warn!(%e, "cannot watch SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT"),
        () = terminate => tracing::info!("SIGTERM"),
    }
}
