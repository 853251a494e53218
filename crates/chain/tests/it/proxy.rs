//! A tiny TCP proxy on 127.0.0.1 that can drop connections: the "dropped RPC connection".

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinHandle,
};

/// Forwards to `upstream`, except the connections it is told to drop (closed on accept).
pub(crate) struct Proxy {
    address: SocketAddr,
    accepted: Arc<AtomicUsize>,
    to_drop: Arc<AtomicUsize>,
    sever: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on `listen` (port 0 for any) and drops the first `drop_first` connections.
    pub(crate) async fn start(listen: SocketAddr, upstream: SocketAddr, drop_first: usize) -> Self {
        let listener = TcpListener::bind(listen).await.expect("binding the proxy");
        let address = listener.local_addr().expect("proxy address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let to_drop = Arc::new(AtomicUsize::new(drop_first));
        let (sever, severed) = watch::channel(0u64);
        let task = tokio::spawn({
            let accepted = Arc::clone(&accepted);
            let to_drop = Arc::clone(&to_drop);
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let dropping = to_drop
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if dropping {
                        drop(client);
                        continue;
                    }
                    let mut severed = severed.clone();
                    severed.mark_unchanged(); // only later cuts concern this connection
                    tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = severed.changed() => {}
                        }
                    });
                }
            }
        });
        Self { address, accepted, to_drop, sever, task }
    }

    pub(crate) fn url(&self) -> url::Url {
        format!("http://{}", self.address).parse().expect("a proxy URL")
    }

    /// Connections accepted so far (dropped or forwarded).
    pub(crate) fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Closes every open connection and drops the next `count` new ones.
    pub(crate) fn sever_and_drop_next(&self, count: usize) {
        self.to_drop.store(count, Ordering::SeqCst);
        self.sever.send_modify(|generation| *generation += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.sever.send_modify(|generation| *generation += 1);
    }
}

/// The socket address of a node endpoint.
pub(crate) fn socket_of(url: &url::Url) -> SocketAddr {
    let host = url.host_str().expect("endpoint host");
    let port = url.port().expect("endpoint port");
    format!("{host}:{port}").parse().expect("endpoint socket address")
}
