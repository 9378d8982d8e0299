import Foundation

/// Hands a message to a program on its standard input and waits for it: the local MTA the
/// Debian way (`/usr/sbin/sendmail -t -oi` by default: queueing, TLS and relaying stay the
/// MTA's job), or curl for the SMS gateway. Exit status 0 means the program took it.
public struct PipedCommand: Sendable {
    public let command: [String]
    public var timeout: Duration = .seconds(30)

    public init(command: [String]) {
        self.command = command
    }

    public struct Failure: Error, CustomStringConvertible {
        /// Holds no address and no text of the message (it is kept in the database).
        public let description: String
    }

    public func send(_ message: String) async throws {
        guard let tool = command.first, FileManager.default.isExecutableFile(atPath: tool) else {
            throw Failure(description: "no program at \(command.first ?? "(none)") (for e-mail, install an MTA such as msmtp-mta or postfix; for SMS, curl)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "\(tool) could not start: \(error.localizedDescription)"))
                return
            }
            // The message is written from another thread: a large one must not fill the pipe on
            // a thread the termination handler needs.
            let handle = input.fileHandleForWriting
            let data = Data(message.utf8)
            DispatchQueue.global().async {
                try? handle.write(contentsOf: data)
                try? handle.close()
            }
            let limit = timeout
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(limit.components.seconds))) {
                if process.isRunning { process.terminate() }
            }
        }
        guard status == 0 else { throw Failure(description: "\(tool) exited with status \(status)") }
    }
}
