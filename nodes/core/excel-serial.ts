/** Numéros de série des dates Excel (jours depuis le 30/12/1899, bogue de 1900 compris). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

export function excelSerialToIsoDate(serial: number): string {
	return new Date(EXCEL_EPOCH_MS + Math.round(serial) * 86400000).toISOString().slice(0, 10);
}

/** Date AAAA-MM-JJ → numéro de série Excel (inverse d'excelSerialToIsoDate). */
export function isoDateToExcelSerial(iso: string): number {
	return (Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) - EXCEL_EPOCH_MS) / 86400000;
}
