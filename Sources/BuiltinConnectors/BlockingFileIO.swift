import ConnectAPI
import Dispatch
import Foundation

/// File system calls that may block, run on a dispatch queue so they never occupy Swift's
/// cooperative thread pool.
enum BlockingFileIO {
    static let queue = DispatchQueue(label: "swift-connect.builtin-connectors.file-io", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The `errno` text, e.g. "No such file or directory".
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(ConnectError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress, buffer.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ConnectError("Could not write to \(path): \(errorText(errno))")
            }
            offset += written
        }
    }

    /// Opens (creating if needed) `path` for appending.
    static func openForAppend(_ path: String) throws(ConnectError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ConnectError("Couldn't find or create file '\(path)': \(errorText(errno))")
        }
        return fd
    }

    static func closeFile(_ fd: Int32) {
        _ = close(fd)
    }

    /// Reads up to `count` bytes of `path` starting at `position`; `nil` when the file does
    /// not exist.
    static func read(path: String, from position: Int64, count: Int) throws(ConnectError) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ConnectError("Could not open \(path): \(errorText(errno))")
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(position)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ConnectError("Could not read \(path): \(errorText(errno))")
            }
            return Array(buffer[..<got])
        }
    }
}
