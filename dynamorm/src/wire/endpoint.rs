//! The endpoint a shared AWS configuration sends DynamoDB's requests to,
//! found as the SDK's DynamoDB client finds it: an endpoint URL set in code
//! on the configuration; else DynamoDB's own configured one
//! (`AWS_ENDPOINT_URL_DYNAMODB`, or the profile's `dynamodb` section), then
//! the global one (`AWS_ENDPOINT_URL`); else the service's endpoint rules
//! for the region and the FIPS and dual-stack settings
//! (`https://dynamodb.eu-west-1.amazonaws.com`).

use aws_sdk_dynamodb::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_types::service_config::ServiceConfigKey;
use aws_types::SdkConfig;

/// The endpoint URL of DynamoDB for `config`; `None` when the endpoint
/// rules have none (no region, or settings the partition does not offer).
pub(crate) async fn endpoint_url(config: &SdkConfig) -> Option<String> {
    if let Some(url) = configured_url(config) {
        return Some(url);
    }
    let params = Params::builder()
        .set_region(config.region().map(ToString::to_string))
        .use_fips(config.use_fips().unwrap_or(false))
        .use_dual_stack(config.use_dual_stack().unwrap_or(false))
        .build()
        .ok()?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .ok()?;
    Some(endpoint.url().to_owned())
}

/// An endpoint URL the configuration sets, by the SDK's precedence.
fn configured_url(config: &SdkConfig) -> Option<String> {
    let global = config.endpoint_url().map(str::to_owned);
    if config.get_origin("endpoint_url").is_client_config() {
        return global;
    }
    let key = ServiceConfigKey::builder()
        .service_id("DynamoDB")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    config
        .service_config()
        .and_then(|service| service.load_config(key))
        .or(global)
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::config::Region;

    use super::*;

    #[tokio::test]
    async fn the_regions_endpoint_unless_one_is_configured() {
        let config = |builder: aws_types::sdk_config::Builder| {
            builder.region(Region::new("eu-west-1")).build()
        };
        assert_eq!(
            endpoint_url(&config(SdkConfig::builder())).await.as_deref(),
            Some("https://dynamodb.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            endpoint_url(&config(SdkConfig::builder().use_fips(true)))
                .await
                .as_deref(),
            Some("https://dynamodb-fips.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            endpoint_url(&config(
                SdkConfig::builder().endpoint_url("http://127.0.0.1:8000")
            ))
            .await
            .as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(endpoint_url(&SdkConfig::builder().build()).await, None);
    }
}
