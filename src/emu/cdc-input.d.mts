// Types of cdc-input.mjs (the JavaScript is not type-checked).

export declare const CDC_FIFO_BYTES: number;

/** The parts of rp2040js's USBCDC that CdcInput uses. */
export interface CdcLike {
  usb: { onEndpointRead?: (endpoint: number, size: number) => void };
  outEndpoint: number;
  txFIFO: { itemCount: number };
  sendSerialByte(byte: number): void;
}

export declare class CdcInput {
  constructor(cdc: CdcLike);
  push(bytes: Uint8Array): void;
  takeQueued(): Uint8Array[];
  readonly queued: boolean;
  readonly holding: boolean;
  feed(): void;
}
