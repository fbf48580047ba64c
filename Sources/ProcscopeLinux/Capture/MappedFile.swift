import Glibc

/// A regular file mapped read-only into memory (mmap), so that capture files are read without a copy or a
/// read call per frame. Unmapped in `deinit`. The file must not shrink while mapped (a truncation under the
/// reader would fault); capture files being appended to are fine.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`; nil when it is not a regular file (a pipe, standard input), which must be streamed instead.
    init?(path: String) throws {
        let fd = try retryingSystemCall("open", subject: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var status = stat()
        try retryingSystemCall("fstat", subject: path) { fstat(fd, &status) }
        guard status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SystemCallError(call: "mmap", errno: errno, subject: path)
        }
        // Advice values are not flags: one call each. Sequential: aggressive read-ahead, pages behind drop
        // first.
        madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Where `populateAhead` has mapped the pages up to.
    private var populated = 0
    /// MADV_POPULATE_READ (Linux 5.14): maps a range's pages in one call instead of a page fault per few
    /// pages (the faults were 4% of `capture -r` in perf). Older kernels refuse it, and then faults do it.
    private static let populateRead: Int32 = 22
    private var populateWorks = true

    /// Maps the pages of the next 8 MiB from `offset` ahead of the reader, in 4 MiB steps. Mapped pages count
    /// as resident: with 32 MiB ahead, a long read's peak grew by as much (`LongRunMemoryTests`).
    func populateAhead(_ offset: Int) {
        guard populateWorks, offset + (4 << 20) > populated, populated < bytes.count,
              let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        // The start must be a page boundary (else EINVAL, taken for an old kernel): `populated` is not one
        // after a step that ended 8 MiB past an offset.
        let start = max(populated, offset) / page * page
        let end = min(bytes.count, offset + (8 << 20))
        guard end > start else { return }
        if madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, Self.populateRead) != 0 {
            populateWorks = false
        }
        populated = end
    }

    /// Where the pages before which `releaseBehind` has dropped everything end.
    private var released = 0

    /// Drops the mapped pages before `offset` from memory (madvise MADV_DONTNEED; read again from the file
    /// if touched): a 10 GB file read to the end then never shows 10 GB resident. In steps of 8 MiB.
    func releaseBehind(_ offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, bytes.count) / page * page
        guard end - released >= 8 << 20, let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
