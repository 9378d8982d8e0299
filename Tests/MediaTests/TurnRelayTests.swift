import Foundation
import Media
import Synchronization
import Testing
import Visio

/// The engine through a real coturn on loopback, with the time-limited credentials the daemon
/// derives (`use-auth-secret`), and both peers restricted to relayed candidates: media can only
/// flow through the TURN server.
@Suite(.serialized) struct TurnRelayTests {
    static let secret = "un-secret-partagé-avec-coturn-2026"

    /// A private coturn on a free port, stopped at the end of the test.
    final class Coturn {
        let process = Process()
        let port: Int

        init() throws {
            port = Int.random(in: 40_000...45_000)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/turnserver")
            process.arguments = [
                "-n", "--listening-ip=127.0.0.1", "--listening-port=\(port)", "--relay-ip=127.0.0.1",
                "--min-port=\(port + 1)", "--max-port=\(port + 200)", "--use-auth-secret", "--static-auth-secret=\(TurnRelayTests.secret)",
                "--realm=guichet.test", "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-tcp-relay",
                "--pidfile=/tmp/guichet-coturn-\(port).pid", "--log-file=stdout", "--simple-log",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.5)
        }

        func stop() {
            // coturn lingers on SIGTERM while relays are open; nothing of it needs keeping.
            kill(process.processIdentifier, SIGKILL)
            // Polled, not waitUntilExit: bounded even if another test reaps children.
            for _ in 0..<50 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
        }
    }

    func relayedCall(secret: String, expiry: Date) throws -> (LoopbackCallTests.Call, Coturn) {
        let turn = try Coturn()
        let server = IceConfiguration(stunServers: [], turnServers: ["turn:127.0.0.1:\(turn.port)?transport=udp"], turnSecret: secret)
            .servers(validUntil: expiry)[0]
        var settings = LoopbackCallTests.Call.settings()
        settings.relayOnly = true
        settings.turnServer = server.gstreamerURL
        let call = try LoopbackCallTests.Call(settings: settings)
        try call.start()
        return (call, turn)
    }

    @Test func mediaFlowsThroughTheRelayWithDerivedCredentials() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/turnserver") else {
            Issue.record("coturn is not installed (scripts/setup.sh installs it)")
            return
        }
        let (call, turn) = try relayedCall(secret: Self.secret, expiry: Date().addingTimeInterval(3600))
        defer {
            call.room.stop()
            call.peer.stop()
            turn.stop()
        }
        let flowing = call.wait(30) { call.room.videoFrames > 30 && call.peer.videoFrames > 30 && call.room.audioBuffers > 30 }
        let candidates = call.shared.log.withLock { $0.filter { $0.contains("iceCandidate") && !$0.contains("candidate: \"\"") } }
        #expect(flowing, "room v\(call.room.videoFrames), peer v\(call.peer.videoFrames)\n\(call.shared.log.withLock { $0.suffix(20).joined(separator: "\n") })")
        #expect(!candidates.isEmpty && candidates.allSatisfy { $0.contains("typ relay") }, "\(candidates)")
    }

    @Test func aWrongSecretOrAnExpiredCredentialGetsNoRelayAndNoCall() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/turnserver") else { return }
        for (secret, expiry) in [("not-the-shared-secret-at-all", Date().addingTimeInterval(3600)), (Self.secret, Date().addingTimeInterval(-60))] {
            let (call, turn) = try relayedCall(secret: secret, expiry: expiry)
            _ = call.wait(6) { call.room.videoFrames > 0 }
            #expect(call.room.videoFrames == 0 && call.peer.videoFrames == 0)
            #expect(!call.shared.log.withLock { $0.contains { $0.contains("typ relay") } })
            call.room.stop()
            call.peer.stop()
            turn.stop()
        }
    }

    @Test func credentialsFollowTheTurnRestScheme() {
        // The user name is the expiry; the password HMAC-SHA1(secret, user) in base64, as coturn checks it.
        let (user, password) = IceConfiguration.credential(secret: "secret", expiry: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(user == "1800000000:guichet")
        #expect(password == "CIHxGcjkeH80yZRE2zl6rbPme1E=")
        let url = IceServer(urls: "turn:turn.example.fr:3478?transport=udp", username: user, credential: "a/b+c=").gstreamerURL
        #expect(url == "turn://1800000000%3Aguichet:a%2Fb%2Bc%3D@turn.example.fr:3478?transport=udp")
    }
}
