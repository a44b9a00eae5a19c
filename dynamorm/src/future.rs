//! [`OpFuture`]: the future every awaited builder turns into.

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

/// The future every builder turns into (`IntoFuture::IntoFuture`): boxed,
/// `Send`, borrowing the [`Db`](crate::Db) for `'a`.
///
/// ```
/// use dynamorm::OpFuture;
/// fn answer<'a>() -> OpFuture<'a, u32> {
///     Box::pin(async { Ok(42) })
/// }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async { assert_eq!(answer().await.unwrap(), 42) });
/// ```
pub type OpFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;
