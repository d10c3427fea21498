//! Types shared by the server and the browser.

pub mod comments;
pub mod content;
pub mod editor;
pub mod error;
pub mod forms;
pub mod live;
pub mod newsletters;
pub mod pages;
pub mod site;
pub mod text;
pub mod vocab;

pub use comments::*;
pub use content::*;
pub use editor::*;
pub use error::{AppError, FieldError};
pub use forms::*;
pub use live::*;
pub use newsletters::*;
pub use pages::*;
pub use site::*;
pub use vocab::*;
