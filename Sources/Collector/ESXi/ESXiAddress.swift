import Inventory

/// PCI addresses as ESXi prints them, which is three ways.
///
/// `esxcli network sriovnic vf list` printed VF addresses in **decimal** up to 8.0 Update 2
/// (`00000:027:00.1`: domain of five digits, bus of three, so bus 27 = 0x1b) and in the sysfs hex
/// form later (`0000:1b:00.1`); `network nic get` prints its bus info with a colon before the
/// function (`0000:18:00:0`). Read as hex, the decimal form is a different device (bus 0x27):
/// the shape decides, never a guess.
public enum ESXiAddress {
    public static func parse(_ text: some StringProtocol) -> PCIAddress? {
        let text = String(text).trimming(" \t")
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        // Decimal: DDDDD:BBB:SS.F
        if parts.count == 3, parts[0].count == 5, parts[1].count == 3 {
            let slotFunction = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            guard slotFunction.count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
                  let domain = UInt32(parts[0]), let bus = Int(parts[1]), let slot = Int(slotFunction[0]), let function = Int(slotFunction[1]),
                  slotFunction[0].count == 2, (0...255).contains(bus), (0...31).contains(slot), (0...7).contains(function) else { return nil }
            return PCIAddress(domain: domain, bus: UInt8(bus), device: UInt8(slot), function: UInt8(function))
        }
        // Bus info: DDDD:BB:SS:F
        if parts.count == 4, parts[3].count == 1, !parts[2].contains(".") {
            return PCIAddress("\(parts[0]):\(parts[1]):\(parts[2]).\(parts[3])")
        }
        // The sysfs form, with a domain.
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2 else { return nil }
        return PCIAddress(text)
    }
}
