// The host's side of the emulated chip's USB-CDC serial input. rp2040js's USBCDC answers every
// buffer the firmware arms on its bulk OUT endpoint at once, with whatever its FIFO holds: with
// nothing to send, a zero-length packet 10 µs later. TinyUSB then takes the transfer-complete
// interrupt and arms the buffer again, so an idle REPL is woken every few tens of emulated µs and
// never sleeps (and a timed collection is interrupted as often). A USB host does not do that: it
// sends an OUT transaction only when it has data. So an armed read is held here while there is
// nothing to send, and answered (by rp2040js's own handler) as soon as the host's bytes arrive.

/** rp2040js's host-side CDC FIFO drops what does not fit (facts: 512 bytes): feed it only its free room. */
export const CDC_FIFO_BYTES = 512;

/**
 * Host input for one `USBCDC` of rp2040js: `push` queues bytes, `feed` moves what fits into the
 * CDC's FIFO and answers a held read. Installs its hold on the CDC's OUT-endpoint handler.
 */
export class CdcInput {
  #cdc;
  #answer;
  /** Host input not yet handed to the CDC FIFO. */
  #queue = [];
  #offset = 0;
  /** The size of the read the firmware armed while there was nothing to send, or null. */
  #held = null;

  constructor(cdc) {
    this.#cdc = cdc;
    const usb = cdc.usb;
    this.#answer = usb.onEndpointRead;
    usb.onEndpointRead = (endpoint, size) => {
      if (endpoint === cdc.outEndpoint && cdc.txFIFO.itemCount === 0) {
        this.#held = size;
        return;
      }
      this.#answer(endpoint, size);
    };
  }

  /** Queue the host's bytes (the caller feeds them when the chip's loop next looks). */
  push(bytes) {
    if (bytes.length > 0) this.#queue.push(bytes);
  }

  /** Take the host bytes not yet in the CDC FIFO (for the chip that replaces this one). */
  takeQueued() {
    const rest = this.#queue.map((chunk, i) => (i === 0 ? chunk.subarray(this.#offset) : chunk));
    this.#queue = [];
    this.#offset = 0;
    return rest;
  }

  /** Host bytes not yet in the CDC FIFO. */
  get queued() {
    return this.#queue.length > 0;
  }

  /** A read the firmware armed is waiting for the host's bytes. */
  get holding() {
    return this.#held !== null;
  }

  feed() {
    const cdc = this.#cdc;
    const fifo = cdc.txFIFO;
    while (this.#queue.length > 0 && fifo.itemCount < CDC_FIFO_BYTES) {
      const chunk = this.#queue[0];
      cdc.sendSerialByte(chunk[this.#offset++]);
      if (this.#offset >= chunk.length) {
        this.#queue.shift();
        this.#offset = 0;
      }
    }
    if (this.#held !== null && fifo.itemCount > 0) {
      const size = this.#held;
      this.#held = null;
      this.#answer(cdc.outEndpoint, size);
    }
  }
}
