// placeholder so the wire library is never empty; removed when real sources land
namespace sfu::wire {
// Version of the wire library's formats, bumped when a parser's accepted language changes.
int WireFormatVersion() { return 1; }
}  // namespace sfu::wire
