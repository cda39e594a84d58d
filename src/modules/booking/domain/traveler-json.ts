import type { Gender, Traveler } from '../../provider/domain/travel-provider';

/** A traveller in JSON, snake_case: as the API takes and shows it, and as a booking row stores it. */
export interface TravelerJson {
  first_name: string;
  last_name: string;
  email: string;
  phone?: string;
  date_of_birth?: string;
  gender?: Gender;
}

export const travelerToJson = (t: Traveler): TravelerJson => ({
  first_name: t.firstName,
  last_name: t.lastName,
  email: t.email,
  ...(t.phone !== undefined && { phone: t.phone }),
  ...(t.dateOfBirth !== undefined && { date_of_birth: t.dateOfBirth }),
  ...(t.gender !== undefined && { gender: t.gender }),
});

export const travelerFromJson = (json: TravelerJson): Traveler => ({
  firstName: json.first_name,
  lastName: json.last_name,
  email: json.email,
  ...(json.phone !== undefined && { phone: json.phone }),
  ...(json.date_of_birth !== undefined && { dateOfBirth: json.date_of_birth }),
  ...(json.gender !== undefined && { gender: json.gender }),
});
