/// Liveness probe for the xtask and CI; deliberately outside auth.
pub async fn healthz() -> &'static str {
    "ok"
}
