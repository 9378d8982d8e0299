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

    /// A private coturn on a free port, stopped at the end of the test. It is ready once it
    /// answers a STUN binding request; if it exits or stays silent, the test fails with its log.
    final class Coturn {
        let process = Process()
        let port: Int
        let logFile: URL

        init() throws {
            port = Int.random(in: 40_000...45_000)
            logFile = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-coturn-\(port).log")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/turnserver")
            process.arguments = [
                "-n", "--listening-ip=127.0.0.1", "--listening-port=\(port)", "--relay-ip=127.0.0.1",
                "--min-port=\(port + 1)", "--max-port=\(port + 200)", "--use-auth-secret", "--static-auth-secret=\(TurnRelayTests.secret)",
                "--realm=guichet.test", "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-tcp-relay",
                "--pidfile=/tmp/guichet-coturn-\(port).pid", "--log-file=stdout", "--simple-log",
            ]
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let log = try FileHandle(forWritingTo: logFile)
            defer { try? log.close() }
            process.standardOutput = log
            process.standardError = log
            try process.run()
            for _ in 0..<50 {
                guard process.isRunning else { throw CoturnError(description: "coturn exited with status \(process.terminationStatus)\n\(self.log())") }
                if Self.answersSTUN(port: port) { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            stop()
            throw CoturnError(description: "coturn did not answer a STUN binding request on 127.0.0.1:\(port) within 10 s\n\(self.log())")
        }

        func log() -> String { "coturn's log (\(logFile.path)):\n" + ((try? String(contentsOf: logFile, encoding: .utf8)) ?? "(empty)") }

        /// One STUN binding request (RFC 8489 §5) over UDP; true when a binding success answers within 200 ms.
        static func answersSTUN(port: Int) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var request: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42]
            request += (0..<12).map { _ in UInt8.random(in: 0...255) }
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, request, request.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard sent == request.count else { return false }
            var answer = [UInt8](repeating: 0, count: 512)
            let count = recv(fd, &answer, answer.count, 0)
            return count >= 20 && answer[0] == 0x01 && answer[1] == 0x01 && Array(answer[8..<20]) == Array(request[8..<20])
        }

        func stop() {
            // coturn lingers on SIGTERM while relays are open; nothing of it needs keeping.
            kill(process.processIdentifier, SIGKILL)
            // Polled, not waitUntilExit: bounded even if another test reaps children.
            for _ in 0..<50 where process.isRunning { Thread.sleep(forTimeInterval: 0.1) }
            try? FileManager.default.removeItem(at: logFile)
        }
    }

    struct CoturnError: Error, CustomStringConvertible { let description: String }

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
