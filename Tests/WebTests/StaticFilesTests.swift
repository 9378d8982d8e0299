import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The console's and the station's static files come from their bundles, cached a while; no
/// other route's answer changes because of them.
struct StaticFilesTests {
    @Test func bothFoldersAreServedAndOtherRoutesKeepTheirOwnAnswers() async throws {
        try await daemon(try await makeOffice()).test(.router) { client in
            let css = try await client.execute(uri: "/static/console.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            #expect(css.headers[.cacheControl]?.contains("max-age=3600") == true && css.headers[.eTag] != nil)
            let script = try await client.execute(uri: "/kiosk-static/kiosk.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(try await client.execute(uri: "/static/missing.css", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/kiosk-static/../Package.swift", method: .get).status.code >= 400)
            // A 404 elsewhere stays the route's 404 (the file middleware never sees it).
            #expect(try await client.execute(uri: "/visio/../abc", method: .get).status == .notFound)
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
        }
    }
}
