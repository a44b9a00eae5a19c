//! Loopback ports: a free one to start on, whether one is taken, and
//! whether the emulator on one answers HTTP yet.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use dynamorm::error::{EngineKind, Error};
use dynamorm::Result;

/// True if something accepts connections on the loopback port.
pub(crate) fn port_in_use(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_secs(1),
    )
    .is_ok()
}

/// A loopback port nothing listens on (the OS's pick, released at once).
pub(crate) fn free_port() -> Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!("cannot find a free loopback port: {e}"),
            )
        })
}

/// True once something on the port answers an HTTP request (DynamoDB Local
/// answers a bare `GET /` with 400; any status counts).
pub(crate) async fn answers_http(port: u16) -> bool {
    let probe = async {
        let stream = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .ok()?;
        let request =
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        let mut sent = 0;
        while sent < request.len() {
            stream.writable().await.ok()?;
            match stream.try_write(&request.as_bytes()[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
        let mut head = [0u8; 5];
        let mut got = 0;
        while got < head.len() {
            stream.readable().await.ok()?;
            match stream.try_read(&mut head[got..]) {
                Ok(0) => return None,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
        Some(&head == b"HTTP/")
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), probe).await,
        Ok(Some(true))
    )
}
