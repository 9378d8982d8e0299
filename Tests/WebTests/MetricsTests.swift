import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import DeviceLink
import OfficeKit
import Testing

/// `/metrics` read as Prometheus reads it, after the requests it counts went through the
/// daemon's exact application.
struct MetricsTests {
    /// The samples of an exposition text, by series (`name{labels}`); fails on a line that is
    /// neither a comment nor `series value`.
    func samples(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw TestFailure("not a sample line: \(line)")
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func bookingsTakenAndRefusedAndTheirRequestsAreCountedWithoutTheUsager() async throws {
        let office = try await makeOffice()
        let app = try await daemon(office)
        try await app.test(.router) { client in
            let slots = try await client.execute(uri: "/api/v1/availability?partner=caf&from=2026-12-01&to=2026-12-01", method: .get)
            let items = try JSONSerialization.jsonObject(with: Data(slots.body.readableBytesView)) as? [String: Any]
            let first = try #require((items?["items"] as? [[String: Any]])?.first)
            let body = """
                {"kind":"permanence","permanence":"\(first["permanence"]!)","start":"\(first["start"]!)","end":"\(first["end"]!)","usager":{"name":"Awa Diallo"}}
                """
            let headers = try await signIn(client, office)
            #expect(try await client.execute(uri: "/api/v1/bookings", method: .post, headers: headers, body: ByteBuffer(string: body)).status == .created)
            #expect(try await client.execute(uri: "/api/v1/bookings", method: .post, headers: headers, body: ByteBuffer(string: body)).status == .conflict)
            #expect(try await client.execute(uri: "/api/v1/bookings/b-nothere", method: .get, headers: headers).status == .notFound)

            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            let s = try samples(text)
            #expect(s[#"guichet_bookings_created_total{channel="api"}"#] == 1)
            #expect(s[#"guichet_bookings_refused_total{channel="api",reason="slot_taken"}"#] == 1)
            #expect(s[#"guichet_http_requests_total{method="POST",route="/api/v1/bookings",status="201"}"#] == 1)
            #expect(s[#"guichet_http_requests_total{method="POST",route="/api/v1/bookings",status="409"}"#] == 1)
            // The route's pattern, never the path with its id.
            #expect(s[#"guichet_http_requests_total{method="GET",route="/api/v1/bookings/{id}",status="404"}"#] == 1)
            #expect(s[#"guichet_http_request_duration_seconds_count{method="POST",route="/api/v1/bookings"}"#] == 2)
            #expect((s["guichet_database_size_bytes"] ?? 0) == 0)  // in memory: no file
            #expect(s[#"guichet_build_info{version="\#(GuichetVersion.text)"}"#] == 1)
            for secret in ["Awa", "Diallo", "b-nothere", "camille"] { #expect(!text.contains(secret), "\(secret)") }
        }
    }

    @Test func onlyThisMachineOrTheTokenMayReadThem() throws {
        let token = String(repeating: "7f", count: 16)
        let access = MetricsAccess(token: token)
        let lan = ClientOrigin(address: "192.168.1.20", secure: false)
        #expect(access.allows(origin: ClientOrigin(address: "127.0.0.1", secure: false), authorization: nil))
        #expect(access.allows(origin: ClientOrigin(address: "::1", secure: false), authorization: nil))
        #expect(!access.allows(origin: lan, authorization: nil))
        #expect(access.allows(origin: lan, authorization: "Bearer \(token)"))
        #expect(!access.allows(origin: lan, authorization: "Bearer \(token.dropLast())0"))
        #expect(!access.allows(origin: lan, authorization: "Bearer \(token)0"))
        #expect(!access.allows(origin: lan, authorization: token))
        #expect(!MetricsAccess().allows(origin: lan, authorization: "Bearer "))
    }

    @Test func aTokenFileMustBeLongAndPrivate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ text: String, mode: Int) throws -> String {
            let path = folder.appendingPathComponent(UUID().uuidString).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
            return path
        }
        let good = String(repeating: "a1", count: 20)
        #expect(try MetricsAccess.load(tokenFile: try write(good + "\n", mode: 0o600)).token == good)
        #expect(throws: MetricsAccessError.self) { try MetricsAccess.load(tokenFile: try write("short", mode: 0o600)) }
        #expect(try MetricsAccess.load(tokenFile: try write(good, mode: 0o640)).token == good)  // root:guichet under the package
        #expect(throws: MetricsAccessError.self) { try MetricsAccess.load(tokenFile: try write(good, mode: 0o644)) }
        #expect(throws: MetricsAccessError.self) { try MetricsAccess.load(tokenFile: folder.appendingPathComponent("missing").path) }
    }
}
