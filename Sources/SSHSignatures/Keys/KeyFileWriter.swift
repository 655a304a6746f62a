#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates key files with their mode set at creation (no window where a private key is world-readable) and
/// never over an existing file.
enum KeyFileWriter {
    static func create(_ path: String, contents: String, mode: mode_t) throws(SSHSignatureError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .file(path: path, reason: "cannot be created (\(String(cString: strerror(errno))))") }
        var complete = false
        defer {
            close(descriptor)
            // No half-written key file left behind to be mistaken for a key.
            if !complete { unlink(path) }
        }
        // The mode exactly as asked, whatever the umask: ssh-keygen and ssh refuse a private key others can read.
        guard fchmod(descriptor, mode) == 0 else { throw .file(path: path, reason: "cannot set its mode (\(String(cString: strerror(errno))))") }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw .file(path: path, reason: "cannot be written (\(String(cString: strerror(errno))))")
            }
            written += result
        }
        complete = true
    }
}
