//! What several integration test files share.

/// A GitHub Actions log the fixture catalog (`tests/fixtures/catalog/good`) diagnoses as
/// `demo/widget-exploded`, gear `sprocket`, cause on line 6.
pub const WIDGET_LOG: &str = "2024-01-20T10:00:00.1234567Z Current runner version: '2.311.0'
2024-01-20T10:00:00.1234567Z ##[group]Run widget build
2024-01-20T10:00:00.1234567Z widget build
2024-01-20T10:00:00.1234567Z ##[endgroup]
2024-01-20T10:00:01.1234567Z widget: unknown gear \"sprocket\"
2024-01-20T10:00:01.1234567Z ##[error]fatal: widget exploded (code 42)
2024-01-20T10:00:01.1234567Z ##[error]Process completed with exit code 1.
2024-01-20T10:00:02.1234567Z Cleaning up orphan processes
";
