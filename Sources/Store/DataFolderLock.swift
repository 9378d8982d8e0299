import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per data folder: an exclusive `flock` on `guichet.lock`, held for the life of
/// the process (the kernel drops it when the process dies, even by SIGKILL). A second daemon
/// on the same folder would wipe the first one's kiosk session in use.
public final class DataFolderLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock or throws a sentence naming the folder and the process holding it.
    public init(folder: String) throws {
        path = (folder as NSString).appendingPathComponent("guichet.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            if code == EWOULDBLOCK {
                throw StoreError("another guichet daemon (process \(holder)) already uses the data folder \(folder); stop it first, or give this one its own --data")
            }
            throw StoreError("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        // Who holds it, for the next one's message.
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
