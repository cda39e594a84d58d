/** Position in a list ordered by (created_at DESC, id DESC). */
export interface Cursor {
  createdAt: Date;
  id: string;
}
