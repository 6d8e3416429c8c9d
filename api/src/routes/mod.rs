//! HTTP handlers, one file per resource. Each is registered once, through
//! utoipa-actix-web, so it is both served and documented.

pub mod access_token;
pub mod api_keys;
pub mod assets;
pub mod authorization;
pub mod bundle;
pub mod companies;
pub mod connections;
pub mod consents;
pub mod cors;
pub mod events;
pub mod export;
pub mod fallback;
pub mod health;
pub mod hosted;
pub mod integrations;
pub mod invitations;
pub mod journey_links;
pub mod link;
pub mod link_session;
pub mod link_settings;
pub mod link_status;
pub mod old_paths;
pub mod profile;
pub mod reminder_stop;
pub mod reminders;
pub mod sandbox;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(companies::list_companies)
        .service(companies::create_company)
        .service(companies::get_company)
        .service(companies::replace_company)
        .service(companies::update_company)
        .service(companies::delete_company)
        .service(access_token::get_company_access_token)
        .service(export::export_company)
        .service(connections::list_connections)
        .service(connections::create_connection)
        .service(connections::get_connection)
        .service(connections::unlink_connection)
        .service(connections::delete_connection)
        .service(connections::connection_history)
        .service(authorization::update_authorization)
        .service(api_keys::list_api_keys)
        .service(api_keys::create_api_key)
        .service(api_keys::delete_api_key)
        .service(integrations::list_integrations)
        .service(integrations::get_integration)
        .service(integrations::get_integration_branding)
        .service(integrations::get_integration_settings)
        .service(integrations::update_integration_settings)
        .service(sandbox::revoke_grant)
        .service(consents::record_consent)
        .service(consents::list_consents)
        .service(consents::verify_consents)
        .service(consents::withdraw_consent)
        .service(link_status::get_link_status)
        .service(reminders::get_reminders)
        .service(reminders::set_reminders)
        .service(invitations::create_invitation)
        .service(invitations::list_invitations)
        .service(invitations::revoke_invitation)
        .service(invitations::open_invitation)
        .service(journey_links::create_journey_link)
        .service(journey_links::revoke_journey_link)
        .service(link_settings::get_link_settings)
        .service(link_settings::get_link_settings_version)
        .service(link_settings::update_link_settings)
        .service(webhooks::list_webhooks)
        .service(webhooks::create_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_secret)
        .service(webhooks::list_deliveries)
        .service(webhooks::test_webhook)
        .service(events::list_events)
        .service(events::get_event)
        .service(events::replay_event)
        .service(cors::get_cors_settings)
        .service(cors::set_cors_settings)
        .configure(old_paths::register)
        .service(profile::get_profile)
        .service(profile::update_profile)
        .service(health::healthz)
        .service(health::readyz);
}
