/// The parsers of each ``VersionFamily``: pure functions from a normalised version string to its
/// named components. The one place these formats are read.
///
/// Each scheme also accepts the shorter forms operators write as bounds (`4.20` for an Intel NVM,
/// `218.0.219.13` for a bnxt package, `nic-2.0.7` for an nfp application), so that a floor is read
/// in the same scheme as the version it bounds.
enum VersionSchemes {
    struct Parsed {
        var components: [VendorVersion.Component]
        var ordering: [String]
        var identifying: [String] = []
        var line: String?
    }

    typealias Component = VendorVersion.Component

    static func parse(_ text: String, family: VersionFamily, context: VersionContext) -> Parsed? {
        let device = context.device
        switch family {
        case .mellanox: return mellanox(text)
        case .intelNVM: return intelNVM(text).map { with($0, line: device) }
        case .ixgbe: return ixgbe(text).map { with($0, line: device) }
        case .igb: return igb(text, driver: context.driver).map { with($0, line: device) }
        case .bnxt: return bnxt(text).map { with($0, line: device) }
        case .broadcomBootcode: return bootcode(text).map { with($0, line: device ?? $0.line) }
        case .qlogic: return qlogic(text).map { with($0, line: device) }
        case .solarflare: return solarflare(text).map { with($0, line: device) }
        case .netronome: return netronome(text)
        case .chelsio: return chelsio(text).map { with($0, line: device) }
        case .cisco: return cisco(text).map { with($0, line: device) }
        case .dotted: return plainDotted(text, hexWord: context.driver == "hns3").map { with($0, line: device) }
        case .kernel: return kernel(text)
        case .noFirmware, .generic: return generic(text).map { with($0, line: device ?? context.driver) }
        }
    }

    private static func with(_ parsed: Parsed, line: String?) -> Parsed {
        var copy = parsed
        copy.line = line
        return copy
    }

    // MARK: - families

    /// `22.36.1010 (MT_0000000359)`: the major number is the device family (14 ConnectX-4 Lx,
    /// 16 ConnectX-5, 22 ConnectX-6 Dx, 28 ConnectX-7; 2 for every mlx4 device).
    static func mellanox(_ text: String) -> Parsed? {
        let (numbers, rest) = dotted(text)
        guard let numbers else { return nil }
        var components = [Component("fw", numbers: numbers, text: numberText(text, rest))]
        let psid = rest.trimmingBlanks
        if !psid.isEmpty {
            guard psid.hasPrefix("("), psid.hasSuffix(")"), psid.count > 2 else { return nil }
            components.append(Component("psid", numbers: nil, text: String(psid.dropFirst().dropLast())))
        }
        return Parsed(components: components, ordering: ["fw"], line: "major \(numbers[0])")
    }

    /// `8.15 0x8000a4e8 1.2879.0`: NVM, eetrack, combo (option ROM); bounds may stop after the NVM.
    static func intelNVM(_ text: String) -> Parsed? {
        nvmEetrackCombo(text.split(separator: " ").map(String.init), comboAfterEetrackOnly: false)
    }

    /// `0x800006f1`, `0x80000887, 1.2688.0`, or with an NVM version first (`1.63 0x800006f1`):
    /// ixgbe prints a combo version only after an eetrack.
    static func ixgbe(_ text: String) -> Parsed? {
        nvmEetrackCombo(text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init), comboAfterEetrackOnly: true)
    }

    /// Intel's three parts, each optional: NVM version, eetrack ID, combo (option ROM) version.
    private static func nvmEetrackCombo(_ words: [String], comboAfterEetrackOnly: Bool) -> Parsed? {
        var components: [Component] = []
        var rest = words[...]
        if let first = rest.first, let nvm = fullDotted(first) {
            components.append(Component("nvm", numbers: nvm, text: first))
            rest = rest.dropFirst()
        }
        var eetrack = false
        if let word = rest.first, hex32(word) != nil {
            components.append(Component("eetrack", numbers: nil, text: word))
            rest = rest.dropFirst()
            eetrack = true
        }
        if let word = rest.first, comboAfterEetrackOnly ? eetrack : !components.isEmpty, let combo = fullDotted(word) {
            components.append(Component("combo", numbers: combo, text: word))
            rest = rest.dropFirst()
        }
        guard rest.isEmpty, !components.isEmpty else { return nil }
        return Parsed(components: components, ordering: ["nvm", "combo"], identifying: ["eetrack"])
    }

    /// igb and e1000e as the kernel prints them: `3.25, 0x800005d0` (EEPROM version and eetrack,
    /// optionally the option ROM after them), `2.1.0` (major, minor, build: no eetrack), and
    /// `MAJOR.MINOR-N`: for a flash-less I210/I211 `%2d.%2d-%d` (` 0. 4-1`, `1.5-2`) where N is the
    /// iNVM image type, which identifies an image without ordering it; for e1000e N is the
    /// NVM's build number, which orders.
    /// ESXi's igbn joins version and eetrack with a colon: `1.48.0:0x800006e7`.
    static func igb(_ text: String, driver: String?) -> Parsed? {
        let parts = text.replacing(":0x", with: ", 0x").split(separator: ",").map { String($0).trimmingBlanks }
        guard let head = parts.first else { return nil }
        var components: [Component] = []
        var rest = parts.dropFirst()
        if hex32(head) != nil {
            components.append(Component("eetrack", numbers: nil, text: head))
        } else {
            // The I210 format pads both numbers with blanks: ` 0. 4-1`.
            let squeezed = head.replacingBlanks
            let pieces = squeezed.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(pieces.count), var numbers = fullDotted(pieces[0]) else { return nil }
            if pieces.count == 2 {
                guard numbers.count == 2, let n = Int(pieces[1]) else { return nil }
                if driver == "e1000e" {
                    numbers.append(n)
                    components.append(Component("version", numbers: numbers, text: head))
                } else {
                    components.append(Component("version", numbers: numbers, text: pieces[0]))
                    components.append(Component("image", numbers: nil, text: pieces[1]))
                }
            } else {
                components.append(Component("version", numbers: numbers, text: head))
            }
            if let word = rest.first, hex32(word) != nil {
                components.append(Component("eetrack", numbers: nil, text: word))
                rest = rest.dropFirst()
            }
        }
        if let word = rest.first, let combo = fullDotted(word) {
            components.append(Component("combo", numbers: combo, text: word))
            rest = rest.dropFirst()
        }
        guard rest.isEmpty else { return nil }
        return Parsed(components: components, ordering: ["version", "combo"], identifying: ["eetrack", "image"])
    }

    /// `232.0.219.16/pkg 232.1.196.16`; a bare version is a package (what bounds are written in).
    static func bnxt(_ text: String) -> Parsed? {
        let words = text.split(separator: " ").map(String.init)
        if words.count == 2, words[0].hasSuffix("/pkg"), let fw = fullDotted(String(words[0].dropLast(4))), let pkg = fullDotted(words[1]) {
            return Parsed(components: [Component("fw", numbers: fw, text: String(words[0].dropLast(4))), Component("pkg", numbers: pkg, text: words[1])],
                          ordering: ["pkg"])
        }
        if words.count == 1, let pkg = fullDotted(words[0]) {
            return Parsed(components: [Component("pkg", numbers: pkg, text: words[0])], ordering: ["pkg"])
        }
        return nil
    }

    /// bnx2, bnx2x, tg3: `bc 7.10.4`, `7.8.16 bc 6.2.26 phy aa0.406` (the leading version is the
    /// driver's storm firmware), `mbi 7.15.42 bc 7.15.23`, `FFV7.10.17 bc 7.10.11`,
    /// `BC:5.2.7 PHY:baa0:0105` (ESXi), `bc 5.2.3 NCSI 2.0.12`, tg3's `5751-v3.44a` and
    /// `FFV22.91.5 bc 5720-v1.39`. The bootcode orders.
    static func bootcode(_ text: String) -> Parsed? {
        var words: [String] = []
        for word in text.split(separator: " ") {
            // "BC:5.2.7" and "PHY:baa0:0105" are a name and a value joined by the first colon.
            if let colon = word.firstIndex(of: ":"), word[..<colon].allSatisfy(\.isLetter) {
                words.append(String(word[..<colon]))
                words.append(String(word[word.index(after: colon)...]))
            } else {
                words.append(String(word))
            }
        }
        let named: Set<String> = ["bc", "phy", "mbi", "ncsi", "ffv", "sb", "asf", "dash", "ape"]
        var components: [Component] = []
        var chip: String?
        var i = 0
        while i < words.count {
            let word = words[i], lower = word.lowercased()
            if named.contains(lower), i + 1 < words.count {
                let value = words[i + 1]
                if lower == "bc", let dash = value.firstIndex(of: "-"), value[..<dash].allSatisfy(\.isNumber) { chip = String(value[..<dash]) }
                let numbers = lower == "phy" ? nil : (bootcodeNumbers(value) ?? fullDotted(value))
                if lower != "phy", numbers == nil { return nil }
                components.append(Component(lower, numbers: numbers, text: value))
                i += 2
            } else if lower.hasPrefix("ffv"), let numbers = fullDotted(String(word.dropFirst(3))) {
                components.append(Component("ffv", numbers: numbers, text: String(word.dropFirst(3))))
                i += 1
            } else if let numbers = bootcodeNumbers(word), let dash = word.firstIndex(of: "-") {
                // tg3's `5751-v3.44a`: the chip, then its bootcode; bootcodes of two chips never order.
                components.append(Component("bc", numbers: numbers, text: word))
                chip = String(word[..<dash])
                i += 1
            } else if i == 0, let numbers = fullDotted(word) {
                // A bare leading version: the storm firmware when named parts follow, else (a bound) the bootcode.
                components.append(Component(words.count == 1 ? "bc" : "storm", numbers: numbers, text: word))
                i += 1
            } else {
                return nil
            }
        }
        guard !components.isEmpty, Set(components.map(\.name)).count == components.count else { return nil }
        return Parsed(components: components, ordering: ["bc"], line: chip.map { "chip \($0)" })
    }

    /// `mfw 8.25.7.0 storm 8.20.0.0`; a bare version is the management firmware.
    static func qlogic(_ text: String) -> Parsed? {
        let words = text.split(separator: " ").map(String.init)
        if words.count == 1, let mfw = fullDotted(words[0]) {
            return Parsed(components: [Component("mfw", numbers: mfw, text: words[0])], ordering: ["mfw"])
        }
        guard words.count % 2 == 0, words.count >= 2 else { return nil }
        var components: [Component] = []
        for pair in stride(from: 0, to: words.count, by: 2) {
            let name = words[pair].lowercased()
            guard ["mfw", "storm", "mbi"].contains(name), let numbers = fullDotted(words[pair + 1]),
                  !components.contains(where: { $0.name == name }) else { return nil }
            components.append(Component(name, numbers: numbers, text: words[pair + 1]))
        }
        return Parsed(components: components, ordering: ["mfw"])
    }

    /// `8.5.0.1002 rx1 tx1`: the version orders; `rxN txN` name the datapath firmware variant
    /// (full-featured or low-latency), which must match for two versions to be equal.
    static func solarflare(_ text: String) -> Parsed? {
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first, let numbers = fullDotted(first) else { return nil }
        var components = [Component("fw", numbers: numbers, text: first)]
        let variant = words.dropFirst()
        if !variant.isEmpty {
            guard variant.allSatisfy({ ($0.hasPrefix("rx") || $0.hasPrefix("tx")) && $0.count > 2 && $0.dropFirst(2).allSatisfy(\.isNumber) }) else { return nil }
            components.append(Component("variant", numbers: nil, text: variant.joined(separator: " ")))
        }
        return Parsed(components: components, ordering: ["fw"], identifying: ["variant"])
    }

    /// `0.0.3.5 0.20 nic-2.0.7 nic`: NFD (host interface), NSP (service processor), the
    /// application firmware with its version, and the application type. Versions of different
    /// applications (`nic`, `sriov`, `flower`) never order; within one, the application, then
    /// NSP, then NFD. Bounds: `nic-2.0.7`, or a bare application version.
    static func netronome(_ text: String) -> Parsed? {
        let words = text.split(separator: " ").map(String.init)
        func app(_ word: String) -> (name: String, numbers: [Int])? {
            guard let dash = word.lastIndex(of: "-") else { return nil }
            let name = String(word[..<dash])
            guard !name.isEmpty, let numbers = fullDotted(String(word[word.index(after: dash)...])) else { return nil }
            return (name, numbers)
        }
        switch words.count {
        case 4:
            guard let nfd = fullDotted(words[0]), let nsp = fullDotted(words[1]), let application = app(words[2]) else { return nil }
            // A one-number application version (`nic-792810`) is a build ID, not a release: it
            // identifies the image without ordering it.
            let appNumbers = application.numbers.count > 1 ? application.numbers : nil
            return Parsed(components: [Component("nfd", numbers: nfd, text: words[0]), Component("nsp", numbers: nsp, text: words[1]),
                                       Component("app", numbers: appNumbers, text: words[2]), Component("type", numbers: nil, text: words[3])],
                          ordering: ["app", "nsp", "nfd"], identifying: ["app", "type"], line: application.name)
        case 1:
            if let application = app(words[0]) {
                return Parsed(components: [Component("app", numbers: application.numbers, text: words[0])], ordering: ["app", "nsp", "nfd"], line: application.name)
            }
            guard let numbers = fullDotted(words[0]) else { return nil }
            return Parsed(components: [Component("app", numbers: numbers, text: words[0])], ordering: ["app", "nsp", "nfd"])
        default:
            return nil
        }
    }

    /// `1.26.6.0, TP 0.1.23.2`: firmware, then the TP microcode.
    static func chelsio(_ text: String) -> Parsed? {
        let parts = text.split(separator: ",").map { String($0).trimmingBlanks }
        guard let first = parts.first, let fw = fullDotted(first), parts.count <= 2 else { return nil }
        var components = [Component("fw", numbers: fw, text: first)]
        if parts.count == 2 {
            let words = parts[1].split(separator: " ").map(String.init)
            guard words.count == 2, words[0].lowercased() == "tp", let tp = fullDotted(words[1]) else { return nil }
            components.append(Component("tp", numbers: tp, text: words[1]))
        }
        return Parsed(components: components, ordering: ["fw"])
    }

    /// Cisco's `4.1(3a)`: major, minor, build number and letter (a = 1).
    static func cisco(_ text: String) -> Parsed? {
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else { return fullDotted(text).map { Parsed(components: [Component("fw", numbers: $0, text: text)], ordering: ["fw"]) } }
        guard let head = fullDotted(String(text[..<open])) else { return nil }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let digits = inner.prefix(while: \.isNumber), letters = inner.dropFirst(digits.count)
        guard let build = Int(digits), letters.count <= 1, letters.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return nil }
        let letter = letters.first.map { Int($0.asciiValue ?? 96) - 96 } ?? 0
        return Parsed(components: [Component("fw", numbers: head + [build, letter], text: text)], ordering: ["fw"])
    }

    /// Plain dotted numbers; hns3 on older kernels wrote the same four bytes as one hex word
    /// (`0x0114001b` is 1.20.0.27).
    static func plainDotted(_ text: String, hexWord: Bool) -> Parsed? {
        if hexWord, let word = hex32(text) {
            let bytes = [Int(word >> 24), Int(word >> 16 & 0xff), Int(word >> 8 & 0xff), Int(word & 0xff)]
            return Parsed(components: [Component("fw", numbers: bytes, text: text)], ordering: ["fw"])
        }
        guard let numbers = fullDotted(text) else { return nil }
        return Parsed(components: [Component("fw", numbers: numbers, text: text)], ordering: ["fw"])
    }

    /// A kernel release: upstream version, the distribution's build numbers (`-56`, `-372.82.1`;
    /// `-rc7` is before the release), and its flavour (`amd64`, `el8_6.x86_64`), which must match.
    static func kernel(_ text: String) -> Parsed? {
        let (upstream, rest) = dotted(text)
        guard let upstream else { return nil }
        var components = [Component("upstream", numbers: upstream, text: numberText(text, rest))]
        var tail = Substring(rest)
        // Every release has a build part, empty when none is written: a bound `5.15` and a
        // release `5.17.0-rc7` then order against `5.17.0-56` the way the kernel's numbering means.
        var build = Component("build", numbers: [], text: "")
        if tail.first == "-" {
            tail = tail.dropFirst()
            if tail.lowercased().hasPrefix("rc") {
                let digits = tail.dropFirst(2).prefix(while: \.isNumber)
                // A release candidate comes before the release: its build sorts below an empty one.
                build = Component("build", numbers: [-1, Int(digits) ?? 0], text: "rc" + digits)
                tail = tail.dropFirst(2 + digits.count)
            } else {
                let (numbers, after) = dotted(String(tail))
                if let numbers {
                    build = Component("build", numbers: numbers, text: String(tail.prefix(tail.count - after.count)))
                    tail = Substring(after)
                }
            }
        }
        components.append(build)
        let flavour = tail.drop { $0 == "-" || $0 == "." || $0 == "_" }
        if !flavour.isEmpty { components.append(Component("flavour", numbers: nil, text: String(flavour))) }
        return Parsed(components: components, ordering: ["upstream", "build"], identifying: ["flavour"])
    }

    /// Any driver: the forms above that need no driver to be recognised.
    static func generic(_ text: String) -> Parsed? {
        let words = text.split(separator: " ").map(String.init)
        if words.count == 2, words[0].hasSuffix("/pkg"), let fw = fullDotted(String(words[0].dropLast(4))), let pkg = fullDotted(words[1]) {
            return Parsed(components: [Component("fw", numbers: fw, text: String(words[0].dropLast(4))), Component("version", numbers: pkg, text: words[1])],
                          ordering: ["version"])
        }
        if words.count >= 2, words.count <= 3, let nvm = fullDotted(words[0]), hex32(words[1]) != nil {
            var components = [Component("version", numbers: nvm, text: words[0]), Component("eetrack", numbers: nil, text: words[1])]
            if words.count == 3 {
                guard let combo = fullDotted(words[2]) else { return nil }
                components.append(Component("combo", numbers: combo, text: words[2]))
            }
            return Parsed(components: components, ordering: ["version", "combo"], identifying: ["eetrack"])
        }
        if words[0].lowercased().hasPrefix("0x") {
            guard words.count == 1, hex32(words[0]) != nil else { return nil }
            return Parsed(components: [Component("eetrack", numbers: nil, text: words[0])], ordering: ["version"], identifying: ["eetrack"])
        }
        let (numbers, rest) = dotted(text)
        guard let numbers else { return nil }
        var components = [Component("version", numbers: numbers, text: numberText(text, rest))]
        let qualifier = rest.trimmingBlanks
        if !qualifier.isEmpty { components.append(Component("qualifier", numbers: nil, text: qualifier)) }
        return Parsed(components: components, ordering: ["version"])
    }

    /// Whether a driver version is the kernel release (an in-tree driver): the host's own release
    /// (or the first 31 characters of it, all `ethtool -i` keeps), or a release's shape
    /// (`N.N.N-` then a build number or `rc`).
    static func isKernelRelease(_ text: String, _ context: VersionContext) -> Bool {
        let normal = text.trimmingBlanks
        if let release = context.kernelRelease, normal == release || (normal.count >= 24 && release.hasPrefix(normal)) { return true }
        let (numbers, rest) = dotted(normal)
        guard let numbers, numbers.count == 3, rest.hasPrefix("-") else { return false }
        let after = rest.dropFirst()
        return after.first?.isNumber == true || after.lowercased().hasPrefix("rc")
    }
}
