import Foundation

/// Chromium's managed policy for the station, generated from the configuration: only the
/// station's own pages and the catalogue's sites, nothing remembered, no way out.
public enum BrowserPolicy {
    /// The host pattern Chromium's URLAllowlist uses for a site: its host without `www.`,
    /// which also allows its subdomains (a partner's sign-in pages often live on one).
    public static func pattern(_ site: String) -> String? {
        guard let host = URL(string: site)?.host?.lowercased() else { return nil }
        return host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
    }

    public static func make(stationURL: String, sites: [String], idleMinutes: Int) -> [String: Any] {
        let origin = URL(string: stationURL).map { "\($0.scheme ?? "http")://\($0.host ?? "127.0.0.1")\($0.port.map { ":\($0)" } ?? "")" } ?? stationURL
        let allowed = [origin] + sites.compactMap(pattern).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return [
            "URLBlocklist": ["*"],
            "URLAllowlist": allowed,
            "HomepageLocation": stationURL,
            "HomepageIsNewTabPage": false,
            "RestoreOnStartup": 4,
            "RestoreOnStartupURLs": [stationURL],
            // Nothing of the usager is kept or sent anywhere.
            "PasswordManagerEnabled": false,
            "PasswordLeakDetectionEnabled": false,
            "AutofillAddressEnabled": false,
            "AutofillCreditCardEnabled": false,
            "PaymentMethodQueryEnabled": false,
            "BrowserSignin": 0,
            "SyncDisabled": true,
            "SavingBrowserHistoryDisabled": true,
            "SearchSuggestEnabled": false,
            "MetricsReportingEnabled": false,
            "ImportSavedPasswords": false,
            "ImportAutofillFormData": false,
            // No way out of the kiosk.
            "DeveloperToolsAvailability": 2,
            "IncognitoModeAvailability": 1,
            "BrowserGuestModeEnabled": false,
            "BrowserAddPersonEnabled": false,
            "BlockExternalExtensions": true,
            "DefaultNotificationsSetting": 2,
            "DefaultGeolocationSetting": 2,
            "TaskManagerEndProcessEnabled": false,
            // Downloads go where the profile says (the session's folder), without asking.
            "PromptForDownloadLocation": false,
            "AllowFileSelectionDialogs": true,
            // Printing goes through the station's print page, which counts the pages.
            "PrintingEnabled": false,
            // On a partner site only the browser sees the usager's input: it closes itself
            // after the same inactivity, and the daemon then ends and wipes the session.
            "IdleTimeout": max(1, idleMinutes),
            "IdleTimeoutActions": ["close_browsers"],
        ]
    }

    public static func json(stationURL: String, sites: [String], idleMinutes: Int) -> Data {
        (try? JSONSerialization.data(withJSONObject: make(stationURL: stationURL, sites: sites, idleMinutes: idleMinutes), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
    }
}
