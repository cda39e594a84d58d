import { type DeadlineExpirer, expireRows, rowsOf } from './deadline';

/** An expirer of rows kept in a Map: due rows expire once; `broken` rows fail. */
function rowsExpirer(due: string[], broken: string[] = []) {
  const expired: string[] = [];
  const expirer: DeadlineExpirer = {
    expireOne: async (id) => {
      if (broken.includes(id)) throw new Error(`cannot expire ${id}`);
      if (!due.includes(id) || expired.includes(id)) return false;
      expired.push(id);
      return true;
    },
    sweep: async () => 0,
  };
  return { expirer, expired };
}

describe('a deadline job', () => {
  it('carries its rows as ids; a job queued before that carries one id', () => {
    expect(rowsOf({ ids: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(rowsOf({ id: 'a' })).toEqual(['a']);
    expect(rowsOf({})).toEqual([]);
  });

  it('expires its due rows in order and returns them, leaving the others', async () => {
    const { expirer, expired } = rowsExpirer(['a', 'c']);
    expect(await expireRows(expirer, ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(expired).toEqual(['a', 'c']);
  });

  it('a row that fails does not keep the rows after it from expiring; the job then fails with its error', async () => {
    const { expirer, expired } = rowsExpirer(['a', 'b', 'c', 'd'], ['b', 'c']);
    await expect(expireRows(expirer, ['a', 'b', 'c', 'd'])).rejects.toThrow('cannot expire b');
    expect(expired).toEqual(['a', 'd']);
  });
});
