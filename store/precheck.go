package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"syscall"
	"time"
)

// The pre-check reads the pages bbolt will touch when it opens a file, with
// plain reads, before bbolt maps it. bbolt trusts its pages: with
// NoFreelistSync it rebuilds the freelist at open by walking every page of
// the tree in a goroutine of its own, and a page whose header is garbage
// makes that goroutine panic (beyond any recover of ours), while a file
// shorter than its used size makes it fault on the mapping. So everything
// that walk asserts is checked here first, and a damaged file is answered
// with ErrCorrupt and a sentence, never a crash.
//
// The layout read here is bbolt's on-disk format (version 2), which bbolt
// writes in the machine's byte order; ksmart runs on little-endian machines
// (amd64, arm64) only.

// bbolt's on-disk constants.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16
	elementSize     = 16 // branch and leaf page elements are both 16 bytes
	bucketHeader    = 16 // root page id and sequence of a bucket value
	flagBranch      = 0x01
	flagLeaf        = 0x02
	flagMeta        = 0x04
	flagFreelist    = 0x10
	leafBucketFlag  = 0x01
	noFreelist      = ^uint64(0)
	metaChecksumEnd = 56 // the checksum covers the meta's first 56 bytes
)

// ErrMetaDamaged: one of the file's two meta pages is damaged; the file
// opens from the other one. Wrapped with a message saying what to do.
var ErrMetaDamaged = errors.New("store: one meta page damaged")

// boltMeta is a decoded meta page.
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	hwm      uint64 // high-water mark: pages 0..hwm-1 are in use
	txid     uint64
	valid    bool
}

func decodeMeta(page []byte) boltMeta {
	le := binary.LittleEndian
	if len(page) < pageHeaderSize+64 {
		return boltMeta{}
	}
	m := page[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(m[:metaChecksumEnd])
	return boltMeta{
		pageSize: le.Uint32(m[8:]),
		root:     le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]),
		hwm:      le.Uint64(m[40:]),
		txid:     le.Uint64(m[48:]),
		valid: le.Uint32(m[0:]) == boltMagic && le.Uint32(m[4:]) == boltVersion &&
			le.Uint64(m[metaChecksumEnd:]) == h.Sum64() && le.Uint16(page[8:]) == flagMeta,
	}
}

// precheckResult is what the pre-check learnt of a file that bbolt may open.
type precheckResult struct {
	// metaDamage is a sentence for the operator when one meta page is damaged
	// and the file opens from the other; "" when both are sound.
	metaDamage string
}

// precheckFile checks the file at path (named as the user gave it) and
// returns ErrCorrupt with a message naming the path, what is wrong and what
// to do, when bbolt could not open it safely.
func precheckFile(path string) (precheckResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return precheckResult{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return precheckResult{}, err
	}
	return precheck(f, path, fi.Size())
}

func damaged(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s is damaged: %s; restore it from a backup with 'ksmart restore --data DIR --from BACKUP'", ErrCorrupt, path, fmt.Sprintf(format, args...))
}

func precheck(r io.ReaderAt, path string, size int64) (precheckResult, error) {
	var res precheckResult
	if size == 0 {
		return res, fmt.Errorf("%w: %s is empty (0 bytes): it is not a ksmart data file. If this appliance never started, delete the file and start again; otherwise restore it from a backup with 'ksmart restore --data DIR --from BACKUP'", ErrCorrupt, path)
	}
	read := func(off int64, n int) []byte {
		if off < 0 || off+int64(n) > size {
			return nil
		}
		b := make([]byte, n)
		if _, err := r.ReadAt(b, off); err != nil {
			return nil
		}
		return b
	}
	// Meta page 0 sits at offset 0; meta page 1 one page further, and the
	// page size is read from whichever meta page is sound (as bbolt does).
	m0 := decodeMeta(read(0, 4096))
	var m1 boltMeta
	if m0.valid {
		m1 = decodeMeta(read(int64(m0.pageSize), 4096))
	} else {
		for ps := int64(1024); ps <= 1<<24 && ps < size; ps <<= 1 {
			if m1 = decodeMeta(read(ps, 4096)); m1.valid && int64(m1.pageSize) == ps {
				break
			}
			m1 = boltMeta{}
		}
	}
	// bbolt uses the sound meta page with the higher transaction id.
	meta, which, other := m0, 0, 1
	switch {
	case !m0.valid && !m1.valid:
		return res, damaged(path, "both of its meta pages (the file's headers) are unreadable; it may not be a ksmart data file at all")
	case !m0.valid:
		meta, which, other = m1, 1, 0
	case m1.valid && m1.txid > m0.txid:
		meta, which, other = m1, 1, 0
	}
	if !m0.valid || !m1.valid {
		res.metaDamage = fmt.Sprintf("%s: meta page %d (one of the file's two headers) is damaged; ksmart reads the file from meta page %d (transaction %d), so a write made just before the damage may be missing, and the next write rewrites the damaged page. Take a backup now with 'ksmart backup' and check the disk", path, other, which, meta.txid)
	}
	ps := int64(meta.pageSize)
	if ps < 1024 || ps > 1<<24 || ps&(ps-1) != 0 {
		return res, damaged(path, "its page size %d is impossible", ps)
	}
	if meta.hwm < 3 || meta.root < 2 || meta.root >= meta.hwm {
		return res, damaged(path, "its header points outside the file (root page %d of %d)", meta.root, meta.hwm)
	}
	if used := int64(meta.hwm) * ps; used > size || used/ps != int64(meta.hwm) {
		return res, fmt.Errorf("%w: %s is %d bytes but its header says it uses %d: the file was truncated (a copy cut short, or a full disk); restore it from a backup with 'ksmart restore --data DIR --from BACKUP'", ErrCorrupt, path, size, int64(meta.hwm)*ps)
	}
	w := &pageWalker{read: read, path: path, ps: ps, hwm: meta.hwm, seen: map[uint64]bool{}}
	if meta.freelist != noFreelist {
		if err := w.freelist(meta.freelist); err != nil {
			return res, err
		}
	}
	if _, err := w.tree(meta.root, nil, nil); err != nil {
		return res, err
	}
	return res, nil
}

// pageWalker walks a bbolt B+tree with plain reads, checking what bbolt
// asserts: each page is where it says it is, is a branch or leaf page,
// lies below the high-water mark, is referenced once, its elements lie
// inside it, and its keys are in order.
type pageWalker struct {
	read func(off int64, n int) []byte
	path string
	ps   int64
	hwm  uint64
	seen map[uint64]bool
}

// page reads page id with its overflow pages.
func (w *pageWalker) page(id uint64) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, damaged(w.path, "a page refers to page %d, outside the %d pages in use", id, w.hwm)
	}
	head := w.read(int64(id)*w.ps, pageHeaderSize)
	if head == nil {
		return nil, damaged(w.path, "page %d cannot be read", id)
	}
	le := binary.LittleEndian
	if got := le.Uint64(head); got != id {
		return nil, damaged(w.path, "page %d has a garbage header (it says it is page %d)", id, got)
	}
	overflow := uint64(le.Uint32(head[12:]))
	if id+overflow >= w.hwm {
		return nil, damaged(w.path, "page %d runs past the %d pages in use", id, w.hwm)
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i] {
			return nil, damaged(w.path, "page %d is used twice", i)
		}
		w.seen[i] = true
	}
	p := w.read(int64(id)*w.ps, int((overflow+1)*uint64(w.ps)))
	if p == nil {
		return nil, damaged(w.path, "page %d cannot be read", id)
	}
	return p, nil
}

func (w *pageWalker) freelist(id uint64) error {
	p, err := w.page(id)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	if le.Uint16(p[8:]) != flagFreelist {
		return damaged(w.path, "its freelist page %d is not a freelist", id)
	}
	n, start := uint64(le.Uint16(p[10:])), pageHeaderSize
	if n == 0xFFFF {
		n, start = le.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > uint64(len(p)-start)/8 {
		return damaged(w.path, "its freelist page %d lists more pages than it holds", id)
	}
	for i := range n {
		if free := le.Uint64(p[start+int(i)*8:]); free >= w.hwm {
			return damaged(w.path, "its freelist names page %d, outside the %d pages in use", free, w.hwm)
		}
	}
	return nil
}

// element is a branch or leaf element: its key, value and child page.
type element struct {
	key, value []byte
	child      uint64
	bucket     bool
}

// elements decodes a branch or leaf page's elements, refusing any that lie
// outside the page.
func (w *pageWalker) elements(id uint64, p []byte) ([]element, bool, error) {
	le := binary.LittleEndian
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if flags != flagBranch && flags != flagLeaf {
		return nil, false, damaged(w.path, "page %d has a garbage header (type %#x)", id, flags)
	}
	if pageHeaderSize+count*elementSize > len(p) {
		return nil, false, damaged(w.path, "page %d claims %d entries, more than fit in it", id, count)
	}
	out := make([]element, count)
	for i := range out {
		at := pageHeaderSize + i*elementSize
		e := p[at : at+elementSize]
		var pos, ksize, vsize uint64
		if flags == flagBranch {
			pos, ksize = uint64(le.Uint32(e)), uint64(le.Uint32(e[4:]))
			out[i].child = le.Uint64(e[8:])
		} else {
			out[i].bucket = le.Uint32(e)&leafBucketFlag != 0
			pos, ksize, vsize = uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		}
		// pos counts from the element itself.
		start := uint64(at) + pos
		if start+ksize+vsize > uint64(len(p)) {
			return nil, false, damaged(w.path, "an entry of page %d points outside the page", id)
		}
		out[i].key = p[start : start+ksize]
		out[i].value = p[start+ksize : start+ksize+vsize]
	}
	return out, flags == flagBranch, nil
}

// tree checks the subtree at page id, whose keys must lie in [lo, hi), and
// every bucket below it; it returns the subtree's largest key.
func (w *pageWalker) tree(id uint64, lo, hi []byte) ([]byte, error) {
	p, err := w.page(id)
	if err != nil {
		return nil, err
	}
	elems, branch, err := w.elements(id, p)
	if err != nil {
		return nil, err
	}
	running := lo
	for i, e := range elems {
		if (i == 0 && running != nil && bytes.Compare(running, e.key) > 0) || (i > 0 && bytes.Compare(running, e.key) >= 0) ||
			(hi != nil && bytes.Compare(e.key, hi) >= 0) {
			return nil, damaged(w.path, "the keys of page %d are out of order", id)
		}
		if !branch {
			running = e.key
			if e.bucket {
				if err := w.bucket(e.value); err != nil {
					return nil, err
				}
			}
			continue
		}
		next := hi
		if i+1 < len(elems) {
			next = elems[i+1].key
		}
		if running, err = w.tree(e.child, e.key, next); err != nil {
			return nil, err
		}
	}
	return running, nil
}

// bucket checks a nested bucket given its value in the parent; an inline
// bucket (root 0) lives inside that value and has no pages of its own.
func (w *pageWalker) bucket(value []byte) error {
	if len(value) < bucketHeader {
		return damaged(w.path, "a bucket's header is cut short")
	}
	root := binary.LittleEndian.Uint64(value)
	if root == 0 {
		// An inline bucket is read in place: its page must hold together.
		inline := value[bucketHeader:]
		if len(inline) < pageHeaderSize {
			return damaged(w.path, "an inline bucket is cut short")
		}
		elems, branch, err := w.elements(0, inline)
		if err != nil {
			return err
		}
		for i, e := range elems {
			if branch || e.bucket || (i > 0 && bytes.Compare(elems[i-1].key, e.key) >= 0) {
				return damaged(w.path, "an inline bucket holds garbage")
			}
		}
		return nil
	}
	_, err := w.tree(root, nil, nil)
	return err
}

// lockForCheck takes bbolt's own file lock (shared for reading, exclusive
// for writing) for the pre-check, so that it never reads pages another
// process is writing; it returns a function that releases it, or ErrLocked.
func lockForCheck(path string, exclusive bool, timeout time.Duration) (func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK || time.Now().After(deadline) {
			f.Close()
			if err == syscall.EWOULDBLOCK {
				return nil, fmt.Errorf("%w: %s is locked by another ksmart process; stop it first (waited %s)", ErrLocked, path, timeout)
			}
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
