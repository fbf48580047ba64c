/// procscope's tables in a file it wrote (`AnnotationRecord` custom options on packets and on the final
/// interface statistics block), gathered before the packets are read: the packets refer to them by id, and
/// a later record replaces an earlier one.
extension PcapngFileReader {
    /// The tables of the sections written by procscope (`shb_userappl`), nil when there are none. Walks the
    /// blocks once; a damaged tail ends the walk with what was found before it.
    public func annotations() -> CaptureAnnotations? {
        var scan = self
        scan.offset = 0
        var found = CaptureAnnotations()
        var isProcscopeSection = false
        var any = false
        while scan.offset < bytes.count {
            guard let (type, body) = try? scan.nextBlock() else { break }
            let options: Int
            switch type {
            case BlockType.section:
                isProcscopeSection = scan.application(ofSection: body) == ProcscopeBlock.application
                continue
            case BlockType.enhancedPacket where body.count >= 20:
                let captured = Int(scan.order.u32(body, 12))
                options = 20 + captured + (-captured & 3)
            case BlockType.interfaceStatistics:
                options = 12
            default:
                continue
            }
            guard isProcscopeSection, options < body.count else { continue }
            scan.forEachOption(UnsafeRawBufferPointer(rebasing: body[options...])) { code, value in
                if let own = scan.procscopeValue(code, value), let record = AnnotationRecord(own) {
                    found.add(record)
                    any = true
                }
            }
        }
        return any ? found : nil
    }

    /// The value of one of procscope's custom options (after the enterprise number), nil for any other.
    func procscopeValue(_ code: UInt16, _ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard code == ProcscopeBlock.optionCode, value.count >= 5,
              order.u32(value, 0) == ProcscopeBlock.enterpriseNumber else { return nil }
        return UnsafeRawBufferPointer(rebasing: value[4...])
    }

    /// A section header body's `shb_userappl`.
    func application(ofSection body: UnsafeRawBufferPointer) -> String? {
        guard body.count >= 16 else { return nil }
        var application: String?
        forEachOption(UnsafeRawBufferPointer(rebasing: body[16...])) { code, value in
            if code == 4 { application = String(decoding: value, as: UTF8.self) }
        }
        return application
    }
}
