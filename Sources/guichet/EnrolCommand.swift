import Agenda
import ArgumentParser
import DeviceLink
import Foundation
import OfficeKit
import Store
import StructureConfig

/// `guichet station enrol` and `guichet room enrol`: exchange the console's one-time code for
/// this PC's credential, after checking the server's certificate against the fingerprint the
/// console shows.
struct StationEnrol: AsyncParsableCommand {
    static let configuration = EnrolOptions.configuration(for: "a self-service station")
    @OptionGroup var options: EnrolOptions
    func run() async throws { try await options.run(kind: .station) }
}

struct RoomEnrol: AsyncParsableCommand {
    static let configuration = EnrolOptions.configuration(for: "the confidential room's visio PC")
    @OptionGroup var options: EnrolOptions
    func run() async throws { try await options.run(kind: .room) }
}

struct EnrolOptions: ParsableArguments {
    static func configuration(for what: String) -> CommandConfiguration {
        CommandConfiguration(
            commandName: "enrol",
            abstract: "Enrol this PC (\(what)) with the server, with the one-time code a manager got in the console (Postes).",
            discussion: """
                Over HTTPS the server's certificate is read first: unless a public authority signed it, its fingerprint must be \
                given with --fingerprint, as the console shows it beside the code, and the certificate is then pinned (the PC \
                trusts that one alone). The credential is written, 0600, to DATA/devices/ID.json.
                On the server's own host, `--station ID --data DIR` (no code) enrols through the database directly, as the \
                server's administrator.
                """)
    }

    @Option(help: "The server's address, e.g. https://192.168.1.10:8443.")
    var server: String?

    @Option(help: "The one-time code from the console (e.g. K7QM-P2XD).")
    var code: String?

    @Option(help: "The server certificate's fingerprint as the console shows it (sha256:…).")
    var fingerprint: String?

    @Option(help: "On the server's host, without a code: the station to enrol through the database.")
    var station: String?

    @Option(help: "This PC's data folder (on the server's host: the server's).")
    var data = "data"

    @Option(help: "The structure's configuration file (local enrolment only).")
    var config = "config/guichet.json"

    func run(kind: Device.Kind) async throws {
        let folder = URL(fileURLWithPath: data)
        let identity: DeviceIdentity
        if let station {
            guard code == nil else { throw ValidationError("--station enrols locally, without --code; with a code, give --server") }
            identity = try await enrolLocally(station, kind: kind, folder: folder)
        } else {
            guard let server, let code else { throw ValidationError("give --server and --code (or, on the server's host, --station)") }
            identity = try await enrol(server: server, code: code, kind: kind)
        }
        try identity.save(data: folder)
        print("Enrolled as \(identity.kind) \(identity.device) with \(identity.server)\(identity.pinnedCertificate != nil ? " (certificate pinned: \(identity.fingerprint ?? ""))" : "").")
        print("Credential: \(DeviceIdentity.file(data: folder, device: identity.device).path) (0600)")
        print("Run: guichet \(kind == .room ? "room" : "station") --station \(identity.device) --data \(data)")
    }

    func enrol(server: String, code: String, kind: Device.Kind) async throws -> DeviceIdentity {
        guard let url = URL(string: server), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host else {
            throw ValidationError("--server: expected http(s)://HOST[:PORT], got \(server)")
        }
        var pinned: ServerCertificate.Seen?
        if scheme == "https" {
            let seen = try await ServerCertificate.read(host: host, port: url.port ?? 443)
            if let fingerprint, fingerprint.lowercased() != seen.fingerprint {
                throw ValidationError(
                    "the server presents the certificate \(seen.fingerprint), not \(fingerprint): not enrolled (another machine may stand in between)")
            }
            if !seen.publiclyTrusted {
                guard fingerprint != nil else {
                    throw ValidationError(
                        "the server presents the certificate \(seen.fingerprint). Compare it with the fingerprint the console shows beside the code; if they are the same, run again with --fingerprint \(seen.fingerprint)")
                }
                pinned = seen
            }
        }
        let client = try DeviceClient(server: server, credential: nil, pinnedCertificate: pinned?.pem, timeoutSeconds: 10)
        let answer: [String: Any]
        do {
            answer = try await client.call("POST", "/api/v1/devices/enrol", body: ["code": code, "kind": kind.rawValue, "version": GuichetVersion.text])
        } catch let failure as DeviceClient.Failure {
            let message = (try? JSONSerialization.jsonObject(with: Data(failure.body.utf8)) as? [String: Any])?["message"] as? String
            throw ValidationError("the server refused the enrolment (\(failure.status)): \(message ?? failure.body)")
        }
        guard let device = answer["device"] as? String, let credential = answer["credential"] as? String else {
            throw ValidationError("the server's answer has no credential")
        }
        return DeviceIdentity(
            device: device, kind: kind.rawValue, server: server, credential: credential, fingerprint: pinned?.fingerprint ?? fingerprint,
            pinnedCertificate: pinned?.pem, pinnedKeyHash: pinned?.keyHash)
    }

    /// On the server's host: a code issued and spent at once, through the database.
    func enrolLocally(_ station: String, kind: Device.Kind, folder: URL) async throws -> DeviceIdentity {
        let loaded = try GuichetConfig.load(path: config)
        guard loaded.structure.stations.contains(where: { $0.id == station && (kind == .room ? $0.visio : $0.selfService) }) else {
            throw ValidationError("\(station) is not a \(kind == .room ? "visio" : "self-service") station of \(config)")
        }
        let path = folder.appendingPathComponent("guichet.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no database at \(path): start `guichet serve --data \(data)` once first")
        }
        let registry = DeviceRegistry(database: try AppDatabase.open(path: path), clock: { Date() })
        let code = try await registry.issueCode(for: station, kind: kind, actor: "cli")
        let (device, credential) = try await registry.enrol(code: code.text, kind: kind, version: GuichetVersion.text, address: "local")
        return DeviceIdentity(device: device.id, kind: device.kind.rawValue, server: server ?? "http://127.0.0.1:8080", credential: credential)
    }
}
