/** Numéros de série des dates Excel (jours depuis le 30/12/1899, bogue de 1900 compris). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

export function excelSerialToIsoDate(serial: number): string {
	return new Date(EXCEL_EPOCH_MS + Math.round(serial) * 86400000).toISOString().slice(0, 10);
}
