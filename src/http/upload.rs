//! Reading a multipart upload into memory with a size cap.

use rocket::fs::TempFile;
use tokio::io::AsyncReadExt;

use crate::error::{AppError, AppResult};

/// Reads an uploaded file into memory, at most `limit` bytes (413 beyond).
pub async fn read_upload(file: &TempFile<'_>, limit: u64) -> AppResult<Vec<u8>> {
    if file.len() > limit {
        return Err(AppError::TooLarge);
    }
    let mut reader = file.open().await.map_err(AppError::internal)?;
    let mut bytes = Vec::with_capacity(usize::try_from(file.len()).unwrap_or(0));
    reader
        .read_to_end(&mut bytes)
        .await
        .map_err(AppError::internal)?;
    Ok(bytes)
}
