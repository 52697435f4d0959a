import ArgumentParser
struct CaptureCommand: ParsableCommand {}
