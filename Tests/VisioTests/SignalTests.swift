import Foundation
import Testing
import Visio

struct SignalTests {
    @Test func goodMessagesRoundTrip() throws {
        let messages: [IncomingSignal] = [
            .join(), .join(codecs: ["video/VP8", "video/H264"]), .leave, .answer(sdp: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"), .candidate(mline: 1, candidate: "candidate:1 1 UDP 2122 127.0.0.1 5000 typ host"),
            .candidate(mline: 0, candidate: ""), .chat("https://www.caf.fr"),
        ]
        for message in messages { #expect(try IncomingSignal.parse(Self.json(message)) == message) }
        let replies: [OutgoingSignal] = [
            .waiting, .leave, .offer(sdp: "v=0\r\n"), .candidate(mline: 2, candidate: ""), .error(code: "not_now", message: "Message hors séquence."),
            .admitted(iceServers: [IceServer(urls: "stun:stun.example.org:3478"), IceServer(urls: "turn:t.example.org:3478", username: "1:x", credential: "c/d")]),
        ]
        for reply in replies {
            #expect(try OutgoingSignal.parse(reply.json) == reply)
            #expect(reply.json.contains(#""version":\#(SignalProtocol.version)"#))
        }
        // The page's own form, as visio.js writes it.
        #expect(try OutgoingSignal.parse(#"{"type":"admitted","iceServers":[{"urls":"stun:s:3478"}],"version":1}"#) == .admitted(iceServers: [IceServer(urls: "stun:s:3478")]))
    }

    static func json(_ message: IncomingSignal) throws -> String { String(decoding: try JSONEncoder().encode(message), as: UTF8.self) }

    @Test func anotherVersionIsRefusedAndNoneIsTheCurrentOne() throws {
        #expect(try IncomingSignal.parse(#"{"type":"join","version":1}"#) == .join())
        #expect(try IncomingSignal.parse(#"{"type":"join"}"#) == .join())
        #expect(try IncomingSignal.parse(#"{"type":"join","codecs":["video/H264","video/VP8"]}"#) == .join(codecs: ["video/H264", "video/VP8"]))
        #expect(throws: SignalError.unsupportedVersion(2)) { try IncomingSignal.parse(#"{"type":"join","version":2}"#) }
    }

    @Test(arguments: [
        ("not json", "malformed"), ("[1,2]", "malformed"), (#"{"sdp":"v=0"}"#, "malformed"), (#"{"type":"dance"}"#, "unknown_type"),
        (#"{"type":"join","admin":true}"#, "malformed"), (#"{"type":"answer","sdp":"hello"}"#, "malformed"),
        (#"{"type":"join","codecs":"VP8"}"#, "malformed"), (#"{"type":"join","codecs":["video/VP8\r\na=x"]}"#, "malformed"),
        (#"{"type":"join","codecs":[1]}"#, "malformed"),
        (#"{"type":"answer","sdp":42}"#, "malformed"), (#"{"type":"candidate","mline":9,"candidate":""}"#, "malformed"),
        (#"{"type":"candidate","mline":true,"candidate":""}"#, "malformed"),
        (#"{"type":"candidate","mline":0,"candidate":"candidate:1\r\na=evil"}"#, "malformed"),
        (#"{"type":"chat","text":""}"#, "malformed"), (#"{"type":"offer","sdp":"v=0"}"#, "not_now"),
    ])
    func badMessagesAreRefusedWithACode(text: String, code: String) {
        #expect(throws: SignalError.self) { try IncomingSignal.parse(text) }
        do { _ = try IncomingSignal.parse(text) } catch { #expect(error.code == code) }
    }

    @Test func oversizedMessagesAreRefused() {
        let sdp = "v=0" + String(repeating: "a", count: 65 * 1024)
        #expect(throws: SignalError.tooLarge) { try IncomingSignal.parse(try Self.json(.answer(sdp: sdp))) }
        #expect(throws: SignalError.tooLarge) { try IncomingSignal.parse(String(repeating: " ", count: 80 * 1024)) }
    }

    @Test func aFloodIsCutAndTheBudgetRefills() {
        var budget = MessageBudget(perSecond: 10, burst: 20)
        let t = Date(timeIntervalSince1970: 0)
        let first = (0..<21).map { _ in budget.spend(at: t) }
        #expect(first.prefix(20).allSatisfy { $0 } && first[20] == false)
        let later = budget.spend(at: t.addingTimeInterval(0.2))
        #expect(later)
    }

    @Test func theJoinWindowOpensShortlyBeforeAndClosesAtTheEnd() {
        let start = Date(timeIntervalSince1970: 10_000), end = start.addingTimeInterval(1800)
        func at(_ offset: TimeInterval, cancelled: Bool = false) -> JoinWindow {
            JoinWindow.at(start.addingTimeInterval(offset), start: start, end: end, early: 600, cancelled: cancelled)
        }
        #expect(at(-601) == .tooEarly(opensAt: start.addingTimeInterval(-600)))
        #expect(at(-600) == .open)
        #expect(at(1799) == .open)
        #expect(at(1800) == .closed)
        #expect(at(0, cancelled: true) == .closed)
    }
}
