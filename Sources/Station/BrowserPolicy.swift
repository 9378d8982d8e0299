import Foundation

/// Chromium's managed policy for the station, generated from the configuration: only the
/// station's own pages and the catalogue's sites, nothing remembered, no way out.
public enum BrowserPolicy {
    /// Chromium's URL-filter entry for a catalogue site: its scheme, its host without `www.`
    /// (the host and its subdomains: a partner's sign-in pages often live on one) and its
    /// port, so `https://caf.fr:443` allows neither `http://` nor another port.
    public static func pattern(_ site: String) -> String? {
        guard let url = URL(string: site), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        let bare = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        return "\(scheme)://\(bare):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }

    /// On the daemon, only the station's own pages and their static files: not the console,
    /// not the API, not the room's screen.
    public static func stationEntries(_ stationURL: String) -> [String] {
        guard let url = URL(string: stationURL), let scheme = url.scheme, let host = url.host else { return [stationURL] }
        let origin = "\(scheme)://\(host):\(url.port ?? (scheme == "https" ? 443 : 80))"
        let path = url.path.hasSuffix("/") ? url.path : url.path + "/"
        return [origin + path, origin + "/kiosk-static/"]
    }

    /// Pages that `*` does not block: the browser's own (settings, flags, downloads, history),
    /// its tools and the station's files.
    static let browserPages = ["chrome://*", "chrome-untrusted://*", "chrome-search://*", "devtools://*", "view-source:*", "file://*", "filesystem:*"]

    public static func make(stationURL: String, sites: [String], idleMinutes: Int) -> [String: Any] {
        let allowed = stationEntries(stationURL) + sites.compactMap(pattern).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return [
            "URLBlocklist": ["*"] + browserPages,
            "URLAllowlist": allowed,
            // A new tab or window (Ctrl+T, Ctrl+N) opens the station's page, never the browser's.
            "NewTabPageLocation": stationURL,
            // The station's own pages speak (the inactivity warning) without waiting for a touch.
            "AutoplayAllowlist": stationEntries(stationURL),
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
            "BookmarkBarEnabled": false,
            "EditBookmarksEnabled": false,
            "AllowDinosaurEasterEgg": false,
            "ShowHomeButton": false,
            // Downloads go into the session's folder (the browser's HOME is that folder),
            // without asking; dangerous file types are refused.
            "DownloadDirectory": "${user_home}/downloads",
            "PromptForDownloadLocation": false,
            "DownloadRestrictions": 1,
            // A PDF is downloaded (then printed through the station's page), not shown in the
            // viewer, whose own save button writes wherever its dialog points.
            "AlwaysOpenPdfExternally": true,
            // Kept on: sending a scan to a partner site goes through the file chooser, which
            // opens on the session's scans. Saving a page (Ctrl+S) is stopped by the station's
            // extension, opening a file (Ctrl+O) by the `file://*` block.
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
